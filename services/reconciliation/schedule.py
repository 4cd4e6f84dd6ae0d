"""The quarterly schedule: on the first working day after a quarter ends, start each bank's reconciliation.

The worker calls `start_due` on every pass; it starts what is missing and nothing twice (a bank has
at most one live reconciliation for a period, held by a unique index). A worker that was down
across a quarter's end catches up: each bank gets the quarters since its latest live quarterly
reconciliation, at most CATCH_UP of them; a bank with none yet (a new installation) gets only the
last ended quarter, so going live never starts years of backlog. A reconciliation an administrator
terminated does not count: the next pass starts its quarter again if it is among those owed. The
scheduled start is recorded as the bureau's first active clerk (the instance needs a starter) and
audited as `reconciliation_scheduled`.
"""
from __future__ import annotations

import logging
from datetime import date
from typing import Any

from sqlalchemy import Connection, func, select

from models.tables import app_user, organization, process_model, reconciliation, user_role
from services.calendar.days import Calendar
from services.context import Services
from services.errors import ConflictError
from services.reconciliation.periods import Period, quarter_before, quarters_between
from services.reconciliation.process import PROCESS_ID, TERMINATED
from services.reconciliation.start import exists, start_reconciliation
from services.users import Actor, actor_by_id

LOG = logging.getLogger("yikatong.reconciliation")
CATCH_UP = 4  # quarters: a worker down for longer than a year leaves the rest to the bureau


def due_period(calendar: Calendar, today: date) -> Period | None:
    """Return the last ended quarter if its first working day after the end has come, else None."""
    period = quarter_before(today)
    first = calendar.add_working_days(period.end, 1).due
    return period if today >= first else None


def _starter(ctx: Services) -> Actor | None:
    with ctx.db.read() as conn:
        user = conn.execute(select(app_user.c.id).join(user_role, user_role.c.user_id == app_user.c.id)
                            .where(user_role.c.role == "hrss", app_user.c.is_active.is_(True))
                            .order_by(app_user.c.id).limit(1)).scalar()
        return actor_by_id(conn, user) if user is not None else None


def _owed(conn: Connection, bank_org_id: int, due: Period) -> list[Period]:
    latest = conn.execute(select(func.max(reconciliation.c.period_end)).where(
        reconciliation.c.bank_org_id == bank_org_id, reconciliation.c.period.like("____Q_"),
        reconciliation.c.status != TERMINATED)).scalar()
    periods = quarters_between(latest, due)[-CATCH_UP:] if latest is not None else [due]
    return [p for p in periods if not exists(conn, bank_org_id, p.name)]


def _missing(ctx: Services, due: Period) -> list[tuple[str, Period]]:
    with ctx.db.read() as conn:
        if conn.execute(select(process_model.c.id).where(process_model.c.process_id == PROCESS_ID)).first() is None:
            return []
        banks = conn.execute(select(organization.c.id, organization.c.code)
                             .where(organization.c.kind == "bank").order_by(organization.c.code)).all()
        owed = [(b.code, period) for b in banks for period in _owed(conn, b.id, due)]
    return sorted(owed, key=lambda item: (item[1].start, item[0]))


def start_due(ctx: Services) -> list[dict[str, Any]]:
    """Start the quarterly reconciliations that are due and missing, oldest first; return those started."""
    due = due_period(ctx.calendar(), ctx.today())
    if due is None:
        return []
    missing = _missing(ctx, due)
    starter = _starter(ctx) if missing else None
    if missing and starter is None:
        LOG.warning("no active bureau user to start the reconciliations of %s", due.name)
        return []
    started = []
    for bank, period in missing:
        try:
            started.append(start_reconciliation(ctx, starter, bank, period.name, scheduled=True))
        except ConflictError:
            continue  # another worker started it first
    return started
