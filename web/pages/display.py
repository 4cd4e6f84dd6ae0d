"""Show what people entered: labelled values, money and dates formatted, choices by their titles."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _, lazy_gettext as _l

from web.pages import formatting, labels
from web.pages.schema import Schema, choices, label, properties, summed_field, widget

STARTED = {
    "fund_project": _l("Project started"),
    "reconciliation": _l("Reconciliation started"),
}
PROCESS_STARTED = _l("Process started")
EVENTS = {
    "instance_started": PROCESS_STARTED,
    "instance_withdrawn": _l("Withdrawn by the department"),
    "instance_ended": _l("Process ended"),
    "timer_fired": _l("Payment deadline passed"),
    "timer_failed": _l("Timer could not run"),
    "instance_migrated": _l("Moved to a new version of the process"),
    "instance_migration_refused": _l("Could not move to a new version of the process"),
    "timer_retried": _l("Timers retried by an administrator"),
    "deadline_recomputed": _l("Deadline recomputed after a calendar change"),
    "instance_suspended": _l("Suspended by an administrator"),
    "instance_resumed": _l("Resumed by an administrator"),
    "instance_terminated": _l("Terminated by an administrator"),
    "task_reassigned": _l("Task reassigned by an administrator"),
    "reconciliation_scheduled": _l("Reconciliation started on the quarterly schedule"),
    "reconciliation_closed": _l("Reconciliation closed"),
    "plan_joined": _l("Listed in the bank's fund use plan"),
    "plan_outcome_delivered": _l("Fund use plan confirmed by the bank: the project moves on"),
    "plan_outcome_skipped": _l("Fund use plan confirmed, but the project no longer waited for it"),
    "plan_left": _l("Removed from its unsigned fund use plan when terminated"),
    "plan_released": _l("Its fund use plan was terminated: moved to the bank's open draft plan"),
}
TIMERS = {
    "payment_reminder_timer": _l("Payment reminder: 5 working days left"),
    "payment_timer": _l("Payment deadline passed"),
    "payment_escalation_timer": _l("Payment still overdue: escalated again"),
}
AUDIT_EVENTS = {
    "task_completed": _l("Step completed"),
    **EVENTS,
    "plan_project_moved": _l("Moved to another fund use plan"),
    "access_denied": _l("Refused: another organisation's object"),
    "user_created": _l("User created"),
    "user_updated": _l("User changed"),
    "model_deployed": _l("Process model deployed"),
    "document_issued": _l("Official document issued"),
    "document_reissued": _l("Official document reissued"),
    "allocation_fixed": _l("Allocation among banks fixed"),
    "card_function_added": _l("Card function added"),
    "card_function_updated": _l("Card function changed"),
    "card_function_deleted": _l("Card function deleted"),
    "annual_round_set": _l("Annual declaration period set"),
    "round_opened": _l("Declaration round opened"),
    "round_changed": _l("Declaration round changed"),
    "calendar_override_set": _l("Working day overridden"),
    "calendar_override_removed": _l("Working day override removed"),
    "calendar_year_marked": _l("Calendar year marked official"),
}


def started(process_id: object) -> str:
    """Return how the start of an instance of *process_id* is named: a fund project is declared (发起申报)."""
    return str(STARTED.get(str(process_id or ""), PROCESS_STARTED))


def event_name(code: str, data: dict[str, Any] | None = None) -> str:
    """Return the name of an audited action (its code when it has none); a start names its process."""
    if code == "instance_started":
        return started((data or {}).get("process_id"))
    return str(AUDIT_EVENTS.get(code, code))


def _note(kind: str, data: dict[str, Any]) -> str:
    if kind == "instance_ended":
        return labels.status(data.get("status"))
    if kind == "task_reassigned":
        return _("%(task)s to %(user)s: %(reason)s", task=str(data.get("title") or ""),
                 user=str(data.get("to_name") or data.get("to") or ""), reason=str(data.get("reason") or ""))
    if kind == "instance_migrated":
        return _("Version %(old)s → version %(new)s", old=data.get("from"), new=data.get("to"))
    return str(data.get("reason") or "")


def value_text(prop: Schema, value: Any) -> str:
    """Return one entered value as a person reads it."""
    kind = widget(prop)
    if value is None or value == "":
        return formatting.DASH
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if kind in ("radio", "select"):
        return dict(choices(prop)).get(str(value), str(value))
    if kind == "money":
        return formatting.money(value)
    if kind == "date":
        return formatting.date_text(value)
    return str(value)


PERIOD_FIELDS = ("reconciliation_period",)


def field_text(name: str, prop: Schema, value: Any) -> str:
    """Return the value of field *name* as a person reads it; a reconciliation period as 2026年第3季度."""
    if name in PERIOD_FIELDS and isinstance(value, str) and value:
        return formatting.period_text(value)
    return value_text(prop, value)


def lines(prop: Schema, value: Any, summed: str = "") -> dict[str, Any]:
    """Return line items as a table: column labels, rows of texts and the total of the summed column."""
    return _lines(prop, value, summed)


def _lines(prop: Schema, value: Any, summed: str = "") -> dict[str, Any]:
    items = properties(prop.get("items", {}))
    rows = [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []
    totals = [formatting.total(row.get(n) for row in rows) if n == summed else "" for n in items]
    return {"columns": [label(n, p)[0] for n, p in items.items()],
            "money_columns": [i for i, p in enumerate(items.values()) if widget(p) == "money"],
            "rows": [[value_text(p, row.get(n)) for n, p in items.items()] for row in rows],
            "totals": totals if summed in items and rows else []}


def describe(schema: Schema, data: dict[str, Any], file_names: dict[str, str]) -> list[dict[str, Any]]:
    """Return the entered values of one form in the form's order, each with its label."""
    props = properties(schema)
    names = [n for n in props if n in data] + [n for n in data if n not in props]
    result = []
    for name in names:
        prop, value = props.get(name, {}), data[name]
        item: dict[str, Any] = {"label": label(name, prop)[0], "kind": "text"}
        if widget(prop) == "lines":
            item.update(kind="lines", **_lines(prop, value, summed_field(schema, name)))
        elif widget(prop) == "file" and isinstance(value, str):
            item.update(kind="file", sha256=value, text=file_names.get(value, value[:12]))
        else:
            item.update(text=field_text(name, prop, value), kind="money" if widget(prop) == "money" else "text")
        result.append(item)
    return result


def history(project: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the project's history as steps: when, who, what, and the values entered."""
    file_names = {d["sha256"]: d["filename"] for d in project.get("documents", [])}
    steps = []
    for event in project.get("history", []):
        kind, data = event["event"], event.get("data") or {}
        step: dict[str, Any] = {"event": kind, "at": event["at"], "who": event.get("actor_name") or "",
                                "fields": [], "note": "", "task": ""}
        if kind == "task_completed":
            name = step["task"] = str(data.get("task", ""))
            step["what"] = labels.task_title(name, str(data.get("title") or name))
            step["fields"] = describe(project.get("forms", {}).get(name, {}), data.get("data") or {}, file_names)
        elif kind == "instance_started":
            step["what"] = started(data.get("process_id") or project.get("process_id"))
        elif kind in EVENTS:
            step["what"] = str(TIMERS.get(str(data.get("timer")), EVENTS[kind])) if kind == "timer_fired" \
                else str(EVENTS[kind])
            step["note"] = _note(kind, data)
        else:
            continue
        steps.append(step)
    return steps


def recent(steps: list[dict[str, Any]], limit: int = 3) -> list[dict[str, Any]]:
    """Return the latest run of each step, newest first, at most *limit*: what a task page shows beside its form."""
    seen: set[str] = set()
    result = []
    for step in reversed(steps):
        key = step["task"] or step["event"]
        if step["event"] == "instance_started" or key in seen:
            continue
        seen.add(key)
        result.append(step)
        if len(result) == limit:
            break
    return result


def documents(project: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the project's documents, each with the label of the form field it was uploaded for."""
    task_names = {t["id"]: t["name"] for t in project.get("tasks", [])}
    forms = project.get("forms", {})
    result = []
    for doc in project.get("documents", []):
        props = properties(forms.get(task_names.get(doc.get("task_id"), ""), {}))
        title = label(doc["field"], props[doc["field"]])[0] if doc["field"] in props else ""
        result.append({**doc, "label": title})
    return result


FACTS = (
    ("year", _l("Year"), None), ("round", _l("Round"), labels.round_), ("round_name", _l("Declaration round"), None),
    ("card_function_name", _l("Card function"), None),
    ("category", _l("Category"), labels.category), ("budget", _l("Declared budget"), formatting.money),
    ("approved_budget", _l("Approved budget"), formatting.money),
    ("plan_amount", _l("Planned amount"), formatting.money), ("contractor", _l("Contractor"), None),
    ("procurement_no", _l("Procurement number"), None), ("contract_no", _l("Contract number"), None),
    ("contract_price", _l("Contract price"), formatting.money),
    ("paid_total", _l("Paid so far"), formatting.money),
)


def facts(project: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """Return the project's key facts as (label, text, is money), leaving out the ones not known yet."""
    record = project.get("project") or {}
    orgs = project.get("organizations", {})
    rows = [(str(_l("Department")), labels.organization_name(orgs.get(project.get("department") or "")), False),
            (str(_l("Cooperating bank")), labels.organization_name(orgs.get(project.get("bank") or "")), False)]
    for key, title, show in FACTS:
        value = record.get(key)
        if value is not None and value != "":
            rows.append((str(title), show(value) if show else str(value), show is formatting.money))
    return [row for row in rows if row[1] != formatting.DASH]


def context(project: dict[str, Any]) -> dict[str, Any]:
    """Return what a page shows around a project: key facts, history steps and documents."""
    return {"project": project, "facts": facts(project), "steps": history(project),
            "documents": documents(project)}
