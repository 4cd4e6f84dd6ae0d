"""What an audit entry's data says, in a line a person reads: names for codes, money and dates formatted."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _

from web.pages import formatting, labels
from web.pages.display import TIMERS
from web.pages.documents import document_kind

Names = Mapping[str, Mapping[str, str]]


def describe(item: dict[str, Any], orgs: Names) -> str:
    """Return the details of one audit entry; *orgs* names the organisations by code."""
    data, event = item.get("data") or {}, item["event"]
    special = _DETAILS.get(event)
    if special is not None:
        return special(data, orgs)
    if "reason" in data:
        return str(data["reason"])
    if event in ("user_created", "user_updated"):
        return str(data.get("username", ""))
    return ", ".join(f"{k}: {v}" for k, v in data.items() if not isinstance(v, (dict, list)))


def _org(orgs: Names, code: object) -> str:
    return labels.organization_name(orgs.get(str(code))) if code else formatting.DASH


def _plan(orgs: Names, bank: object, year: object, number: object) -> str:
    return f"{_org(orgs, bank)} · {_('%(year)s plan No. %(number)s', year=year, number=number)}"


def _task(data: dict[str, Any], orgs: Names) -> str:
    return labels.task_title(str(data.get("task") or ""), str(data.get("title") or data.get("task") or ""))


def _denied(data: dict[str, Any], orgs: Names) -> str:
    return _("Tried to open %(kind)s %(id)s", kind=data.get("kind", ""), id=data.get("id", ""))


def _reassigned(data: dict[str, Any], orgs: Names) -> str:
    return _("%(task)s to %(user)s: %(reason)s", task=_task(data, orgs),
             user=data.get("to_name") or data.get("to", ""), reason=data.get("reason", ""))


def _document(data: dict[str, Any], orgs: Names) -> str:
    named = _("%(kind)s, version %(version)s", kind=document_kind(str(data.get("kind", ""))),
              version=data.get("version", ""))
    return f"{named}: {data['reason']}" if data.get("reason") else named


def _joined(data: dict[str, Any], orgs: Names) -> str:
    return _("%(bank)s, planned amount %(amount)s", bank=_org(orgs, data.get("bank")),
             amount=formatting.money(data.get("plan_amount")))


def _delivered(data: dict[str, Any], orgs: Names) -> str:
    return _("%(plan)s, planned amount %(amount)s",
             plan=_plan(orgs, data.get("bank"), data.get("plan_year"), data.get("plan_number")),
             amount=formatting.money(data.get("plan_amount")))


def _moved(data: dict[str, Any], orgs: Names) -> str:
    source, target = data.get("source") or {}, data.get("target") or {}
    return _("%(project)s (%(amount)s): %(source)s → %(target)s", project=data.get("name", ""),
             amount=formatting.money(data.get("amount")),
             source=_plan(orgs, source.get("bank"), source.get("year"), source.get("number")),
             target=_plan(orgs, target.get("bank"), target.get("year"), target.get("number")))


def _allocation(data: dict[str, Any], orgs: Names) -> str:
    return _("%(year)s: pool %(pool)s", year=data.get("year", ""), pool=formatting.money(data.get("pool")))


def _reconciliation(data: dict[str, Any], orgs: Names) -> str:
    period = formatting.period_text(data.get("period")) if data.get("period") else ""
    return f"{_org(orgs, data['bank'])} · {period}" if data.get("bank") else period


def _round(data: dict[str, Any], orgs: Names) -> str:
    days = f"{formatting.date_text(data.get('opens_on'))} – {formatting.date_text(data.get('closes_on'))}"
    return _("%(name)s: %(days)s", name=data["name"], days=days) if data.get("name") else days


def _model(data: dict[str, Any], orgs: Names) -> str:
    return f"{data.get('process_id', '')} · {_('Version %(n)d', n=int(data.get('version') or 0))}"


_DETAILS: dict[str, Callable[[dict[str, Any], Names], str]] = {
    "task_completed": _task,
    "access_denied": _denied,
    "task_reassigned": _reassigned,
    "document_issued": _document,
    "document_reissued": _document,
    "instance_started": lambda data, orgs: "",
    "instance_ended": lambda data, orgs: labels.status(data.get("status")),
    "instance_migrated": lambda data, orgs: _("Version %(old)s → version %(new)s", old=data.get("from"),
                                              new=data.get("to")),
    "timer_fired": lambda data, orgs: str(TIMERS.get(str(data.get("timer")), data.get("timer") or "")),
    "plan_joined": _joined,
    "plan_outcome_delivered": _delivered,
    "plan_outcome_skipped": _delivered,
    "plan_project_moved": _moved,
    "allocation_fixed": _allocation,
    "reconciliation_scheduled": _reconciliation,
    "reconciliation_closed": _reconciliation,
    "annual_round_set": _round,
    "round_opened": _round,
    "round_changed": _round,
    "model_deployed": _model,
    "card_function_added": lambda data, orgs: str(data.get("name") or data.get("code") or ""),
    "card_function_deleted": lambda data, orgs: str(data.get("name") or data.get("code") or ""),
}
