"""Start a bank's reconciliation for a period: by the bureau (page, command line) or on the schedule."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from models.tables import organization, reconciliation
from services.context import Services
from services.errors import ConflictError, FieldError, PermissionDenied, ValidationError
from services.instances import start_instance
from services.reconciliation.periods import Period, PeriodError, parse_period
from services.reconciliation.process import PROCESS_ID, TERMINATED
from services.users import Actor, as_writer


def _bank(conn: Connection, code: object) -> Any:
    if not isinstance(code, str) or not code:
        return None
    return conn.execute(select(organization.c.id, organization.c.code, organization.c.name)
                        .where(organization.c.code == code, organization.c.kind == "bank")).first()


def exists(conn: Connection, bank_org_id: int, period: str) -> bool:
    """Return True if the bank has a live (not terminated) reconciliation for *period*."""
    return conn.execute(select(reconciliation.c.id).where(
        reconciliation.c.bank_org_id == bank_org_id, reconciliation.c.period == period,
        reconciliation.c.status != TERMINATED)).first() is not None


def _checked(ctx: Services, conn: Connection, bank_code: object, period_text: object) -> tuple[Any, Period]:
    errors: list[FieldError] = []
    bank = _bank(conn, bank_code)
    if bank is None:
        errors.append(FieldError("bank", "unknownBank", "Choose one of the cooperating banks."))
    period = None
    try:
        period = parse_period(period_text)
    except PeriodError:
        errors.append(FieldError("period", "badPeriod", "Write a quarter like 2026Q3, a month like 2026-07 or a year."))
    if period is not None and period.end >= ctx.today():
        errors.append(FieldError("period", "notEnded", "The period {period} has not ended yet.",
                                 {"period": period.name}))
    if errors:
        raise ValidationError("The form has errors", errors)
    assert period is not None
    if exists(conn, bank.id, period.name):
        raise ConflictError(f"the reconciliation of {bank.code} for {period.name} has already been started")
    return bank, period


def start_reconciliation(ctx: Services, actor: Actor, bank_code: object, period_text: object,
                         scheduled: bool = False) -> dict[str, Any]:
    """Start *bank_code*'s reconciliation for the ended period *period_text*; one live one per bank and period.

    A reconciliation an administrator terminated no longer counts: the period may be started again.
    """
    if "hrss" not in as_writer(actor).roles:
        raise PermissionDenied("only the bureau may start a reconciliation")
    with ctx.db.read() as conn:
        bank, period = _checked(ctx, conn, bank_code, period_text)
    initial = {"bank": bank.code, "bank_name": bank.name, "reconciliation_period": period.name,
               "period_start": period.start.isoformat(), "period_end": period.end.isoformat(),
               "reported_lines": [], "reconciliation_scheduled": scheduled}
    started = start_instance(ctx, actor, PROCESS_ID, initial=initial)
    with ctx.db.read() as conn:
        record_id = conn.execute(select(reconciliation.c.id)
                                 .where(reconciliation.c.instance_id == started["instance_id"])).scalar()
    return {"record_id": record_id, "instance_id": started["instance_id"], "bank": bank.code,
            "period": period.name, "status": started["status"], "ready": started["ready"]}
