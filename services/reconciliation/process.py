"""The host's part of `bpmn/reconciliation.bpmn`: the record, the system's figures, the lines and explanations.

The record is created with the instance (one live record per bank and period: the database refuses
a second); an administrator's termination marks it `terminated`, which frees the bank and period
for a new start while the record keeps its lines and history. When the bank reports, the host adds
its own figures to the report in the same transaction, the diagram compares them, and the lines are
stored once with both figures. Explanations are added to their line; the figures of a line are
never changed.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from models.tables import payment, process_instance, reconciliation, reconciliation_line
from services import audit, form_rules
from services.clock import from_db, to_db
from services.context import Services
from services.errors import ConflictError, FieldError, NotFound, ValidationError
from services.money.text import money_text
from services.reconciliation.compare import bank_projects, recorded
from services.reconciliation.periods import parse_period
from services.users import org_id_by_code

PROCESS_ID = "reconciliation"
TERMINATED = "terminated"
OPEN = ("reporting", "explaining")
UNTITLED = "合作银行对账"
REPORT, BANK_EXPLAIN, BUREAU_CLOSE = "bank_report", "bank_explain", "bureau_close"


def title(data: Mapping[str, Any]) -> str | None:
    """Return the instance's title: the bank and the period."""
    bank, period = data.get("bank_name"), data.get("reconciliation_period")
    return f"{bank} {period} 对账" if bank and period else None


def _record(conn: Connection, instance_id: int) -> Any:
    row = conn.execute(select(reconciliation).where(reconciliation.c.instance_id == instance_id)).first()
    if row is None:
        raise NotFound(f"instance {instance_id} is not a reconciliation")
    return row


def _create(conn: Connection, instance_id: int, data: Mapping[str, Any]) -> None:
    period, bank = parse_period(data["reconciliation_period"]), org_id_by_code(conn, data["bank"])
    created = conn.execute(select(process_instance.c.created_at).where(process_instance.c.id == instance_id)).scalar()
    try:
        conn.execute(insert(reconciliation).values(
            instance_id=instance_id, bank_org_id=bank, period=period.name, period_start=period.start,
            period_end=period.end, status="reporting", scheduled=bool(data.get("reconciliation_scheduled")),
            created_at=created))
    except IntegrityError as exc:
        raise ConflictError(f"the reconciliation of {data.get('bank')} for {period.name} already exists") from exc
    if data.get("reconciliation_scheduled"):
        audit.record(conn, "reconciliation_scheduled", from_db(created), instance_id=instance_id,
                     data={"bank": data["bank"], "period": period.name})


def _line_row(record_id: int, line: Mapping[str, Any]) -> dict[str, Any]:
    count = line["kind"] == "card_count"
    return {"reconciliation_id": record_id, "line_no": line["line"], "kind": line["kind"], "label": line["label"],
            "project_instance_id": line.get("project_id"),
            "reported_count": line["reported"] if count else None,
            "recorded_count": line["recorded"] if count else None,
            "reported_amount": None if count or line["reported"] is None else Decimal(line["reported"]),
            "recorded_amount": None if count or line["recorded"] is None else Decimal(line["recorded"]),
            "differs": bool(line["differs"])}


def _store_lines(conn: Connection, instance_id: int, lines: list[Mapping[str, Any]], differences: int) -> None:
    record = _record(conn, instance_id)
    conn.execute(insert(reconciliation_line), [_line_row(record.id, line) for line in lines])
    conn.execute(update(reconciliation).where(reconciliation.c.id == record.id)
                 .values(status="explaining" if differences else "closed"))


def on_data(conn: Connection, instance_id: int, before: Mapping[str, Any], after: Mapping[str, Any],
            ended: bool) -> None:
    """Create the record with the instance, store the compared lines once, close the record at the end."""
    if after.get("reconciliation_period") and not before.get("reconciliation_period"):
        _create(conn, instance_id, after)
    if after.get("reconciliation_lines") and not before.get("reconciliation_lines"):
        _store_lines(conn, instance_id, after["reconciliation_lines"], int(after["difference_count"]))
    if ended:
        conn.execute(update(reconciliation).where(reconciliation.c.instance_id == instance_id,
                                                  reconciliation.c.status.in_(OPEN)).values(status="closed"))


def on_terminated(_ctx: Services, conn: Connection, instance_id: int, _actor_id: int, _at: datetime) -> None:
    """Mark the record terminated: it stays for the record and no longer holds its bank and period."""
    conn.execute(update(reconciliation).where(reconciliation.c.instance_id == instance_id)
                 .values(status=TERMINATED))


def host_data(conn: Connection, instance_id: int, task_name: str, _clean: Mapping[str, Any]) -> dict[str, Any]:
    """Add the system's own figures to the bank's report, read in the same transaction."""
    if task_name != REPORT:
        return {}
    record = _record(conn, instance_id)
    return recorded(conn, record.bank_org_id, parse_period(record.period))


def _report_errors(conn: Connection, record: Any, data: Mapping[str, Any]) -> list[FieldError]:
    lines = data.get("reported_lines") or []
    errors, seen = [], set()
    ours = bank_projects(conn, record.bank_org_id) | set(conn.execute(
        select(payment.c.instance_id).where(payment.c.bank_org_id == record.bank_org_id)).scalars())
    for index, line in enumerate(lines):
        path = f"reported_lines.{index}.project_id"
        if line["project_id"] in seen:
            errors.append(FieldError(path, "duplicate", "This project is listed twice."))
        elif line["project_id"] not in ours:
            errors.append(FieldError(path, "notYours", "Project {id} is not a project your bank pays for.",
                                     {"id": line["project_id"]}))
        seen.add(line["project_id"])
    total = sum((Decimal(line["amount"]) for line in lines), Decimal("0.00"))
    if lines and total != Decimal(data["reported_paid_total"]):
        errors.append(FieldError("reported_paid_total", "sum", form_rules.MESSAGES["sum"],
                                 {"total": money_text(total), "expected": money_text(data["reported_paid_total"])}))
    return errors


def check_task(conn: Connection, instance_id: int, task_name: str, data: Mapping[str, Any]) -> None:
    """Refuse a report whose project lines repeat a project, name another bank's, or miss the total."""
    if task_name != REPORT:
        return
    errors = _report_errors(conn, _record(conn, instance_id), data)
    if errors:
        raise ValidationError("The form has errors", errors)


def _explain(conn: Connection, instance_id: int, line_no: int, values: dict[str, Any]) -> None:
    record = _record(conn, instance_id)
    conn.execute(update(reconciliation_line).values(**values).where(
        reconciliation_line.c.reconciliation_id == record.id, reconciliation_line.c.line_no == line_no))


def on_task_completed(conn: Connection, instance_id: int, task_name: str, data: Mapping[str, Any],
                      submitted: Mapping[str, Any], actor_id: int, at: datetime) -> None:
    """Keep the report's time, each explanation on its line, and the time the record closed."""
    stamp = to_db(at)
    if task_name == REPORT:
        conn.execute(update(reconciliation).where(reconciliation.c.instance_id == instance_id)
                     .values(reported_at=stamp))
    elif task_name == BANK_EXPLAIN:
        _explain(conn, instance_id, int(data["difference"]["line"]), {
            "bank_explanation": submitted["bank_explanation_text"], "bank_explained_by": actor_id,
            "bank_explained_at": stamp})
    elif task_name == BUREAU_CLOSE:
        _explain(conn, instance_id, int(data["explained"]["line"]), {
            "bureau_explanation": submitted["bureau_explanation"], "closed_by": actor_id, "closed_at": stamp})
    record = _record(conn, instance_id)
    if record.status == "closed" and record.closed_at is None:
        conn.execute(update(reconciliation).where(reconciliation.c.id == record.id).values(closed_at=stamp))
        audit.record(conn, "reconciliation_closed", at, actor_id=actor_id, instance_id=instance_id,
                     data={"period": record.period})
