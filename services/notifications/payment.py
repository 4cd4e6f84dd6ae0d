"""The payment clock's messages: a reminder to the bank, escalations to the bureau.

A timer event of a diagram says whom it notifies with two properties: `notifyRole` (a lane; bank
tasks belong to the project's bank, bureau lanes to everyone with the role) and `notifyKind`
(`payment_reminder`, `payment_overdue` or `payment_escalation`). One message per fired timer and
user: its dedupe key is the timer task's id. A message stores its parameters, not its text.

When an administrator has reassigned every open task of that lane in the project to named users
(`human_task.assignee_id`), the message goes to those users only: they alone may act on it, and
the rest of the role would be told of work they can no longer do. Otherwise the whole role hears.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, func, select

from engine.runtime import FiredTimer
from models.tables import human_task, payment
from services.calendar.days import Calendar
from services.calendar.deadlines import clock_status, sent_late
from services.clock import CHINA
from services.context import Services
from services.notifications.core import notify_role, notify_users
from services.steps import Locked, lane_org

KINDS = frozenset({"payment_reminder", "payment_overdue", "payment_escalation"})


PAYMENTS_MADE = select(func.count()).select_from(payment).where(payment.c.instance_id == bindparam("instance_id"))


def _instalment(conn: Connection, instance_id: int) -> int:
    return conn.execute(PAYMENTS_MADE, {"instance_id": instance_id}).scalar_one() + 1


def _late_from(calendar: Calendar, timer: FiredTimer, today: date) -> str | None:
    if timer.due is None:
        return None
    scheduled = timer.due.astimezone(CHINA).date()
    return scheduled.isoformat() if sent_late(calendar, scheduled, today) else None


def assignees(conn: Connection, instance_id: int, role: str, org_id: int | None) -> list[int] | None:
    """Return the users every open task of *role* in the instance was reassigned to; None if any task is the role's."""
    owner = human_task.c.org_id.is_(None) if org_id is None else human_task.c.org_id == org_id
    rows = conn.execute(select(human_task.c.assignee_id).where(
        human_task.c.instance_id == instance_id, human_task.c.lane == role, human_task.c.status == "ready",
        owner)).scalars().all()
    if not rows or any(user is None for user in rows):
        return None
    return sorted(set(rows))


def payment_params(ctx: Services, title: str, instalment: int, clock: dict[str, Any],
                   timer: FiredTimer) -> dict[str, Any]:
    """Return what a payment-clock message says: project, instalment, dates, days left or late, catch-up."""
    calendar, today = ctx.calendar(), ctx.today()
    status = clock_status(calendar, date.fromisoformat(clock["due_date"]), today)
    return {"title": title, "instalment": instalment, "received_on": clock["received_on"],
            "due_date": clock["due_date"], "provisional": bool(clock.get("provisional")),
            "days_left": status["days_left"], "days_late": status["days_late"],
            "late_from": _late_from(calendar, timer, today)}


def clock_notifications(ctx: Services, conn: Connection, inst: Locked, fired: list[FiredTimer]) -> int:
    """Notify the people a fired payment-clock timer names; return how many notifications were added."""
    added, instalment = 0, None
    for timer in fired:
        kind, role = timer.properties.get("notifyKind"), timer.properties.get("notifyRole")
        clock = timer.data.get("payment_due")
        if kind not in KINDS or not role or not isinstance(clock, dict):
            continue
        instalment = instalment or _instalment(conn, inst.id)
        params = payment_params(ctx, inst.title, instalment, clock, timer)
        if kind == "payment_reminder" and params["days_late"] > 0:
            continue
        org_id, key = lane_org(role, inst), f"{kind}:{timer.task_id}"
        users = assignees(conn, inst.id, role, org_id)
        if users is not None:
            added += notify_users(conn, ctx.clock.now(), users, kind=kind, dedupe_key=key, params=params,
                                  instance_id=inst.id)
            continue
        added += notify_role(conn, ctx.clock.now(), role, org_id, kind=kind, dedupe_key=key, params=params,
                             instance_id=inst.id)
    return added
