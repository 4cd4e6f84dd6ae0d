"""The quarterly schedule: on the first working day after a quarter ends, start each bank's reconciliation.

The worker calls `start_due` on every pass; it starts what is missing and nothing twice (a bank's
reconciliation for a period exists at most once, held by a unique key). Only the last ended
quarter is considered. The scheduled start is recorded as the bureau's first active clerk (the
instance needs a starter) and audited as `reconciliation_scheduled`.
"""
from __future__ import annotations

import logging
from datetime import date
from typing import Any

from sqlalchemy import select

from models.tables import app_user, organization, process_model, user_role
from services.calendar.days import Calendar
from services.context import Services
from services.errors import ConflictError
from services.reconciliation.periods import Period, quarter_before
from services.reconciliation.process import PROCESS_ID
from services.reconciliation.start import exists, start_reconciliation
from services.users import Actor, actor_by_id

LOG = logging.getLogger("yikatong.reconciliation")


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


def _missing(ctx: Services, period: Period) -> list[str]:
    with ctx.db.read() as conn:
        if conn.execute(select(process_model.c.id).where(process_model.c.process_id == PROCESS_ID)).first() is None:
            return []
        banks = conn.execute(select(organization.c.id, organization.c.code)
                             .where(organization.c.kind == "bank").order_by(organization.c.code)).all()
        return [b.code for b in banks if not exists(conn, b.id, period.name)]


def start_due(ctx: Services) -> list[dict[str, Any]]:
    """Start the reconciliations of the last ended quarter that are due and missing; return those started."""
    period = due_period(ctx.calendar(), ctx.today())
    if period is None:
        return []
    missing = _missing(ctx, period)
    starter = _starter(ctx) if missing else None
    if missing and starter is None:
        LOG.warning("no active bureau user to start the reconciliations of %s", period.name)
        return []
    started = []
    for bank in missing:
        try:
            started.append(start_reconciliation(ctx, starter, bank, period.name, scheduled=True))
        except ConflictError:
            continue  # another worker started it first
    return started
