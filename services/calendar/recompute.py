"""Recompute stored deadlines when the calendar changes: overrides, official years, a newer package.

Deadlines live in two places: the workflow state (the payment clock in the data of the open tasks,
and the waiting timers' due times) and the task projection (`human_task.due_at` with its
provisional flag). Each instance is restored, updated and saved in one transaction, and audited.

Suspended instances are recomputed too (they stay suspended): a recomputation only moves dates and
notifies no one, and a deadline must be right on the day an administrator resumes the project.
Ended instances (completed, withdrawn, terminated …) have no timers and are left alone.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import Connection, select, update

from engine import runtime
from models.tables import human_task, process_instance
from services.calendar.days import Calendar
from services.calendar.deadlines import escalation_at, payment_due
from services.calendar.store import COMPUTED, fingerprint, get_setting, put_setting
from services.clock import parse_date, to_db
from services.context import Services
from services.process_models import model_by_id
from services.steps import Locked, StepWrites, save_step
from services.timers import LOCK_COLUMNS

Recompute = Callable[[Calendar, date, dict[str, Any]], dict[str, Any]]
DERIVED: dict[str, Recompute] = {
    "payment_due": lambda calendar, _today, old: payment_due(calendar, parse_date(old["received_on"])),
    "payment_escalation": lambda calendar, _today, old: escalation_at(
        calendar, parse_date(old["received_on"]), old["after"], old["count"]),
}


def _updates(calendar: Calendar, today: date, data: dict[str, Any]) -> dict[str, Any] | None:
    changes = {}
    for key, recompute in DERIVED.items():
        old = data.get(key)
        if isinstance(old, dict) and old.get("received_on"):
            new = {**old, **recompute(calendar, today, old)}
            if new != old:
                changes[key] = new
    return changes or None


OPEN = ("running", "suspended")
OPEN_TASKS = ("ready", "suspended")


def _candidates(ctx: Services) -> list[int]:
    with ctx.db.read() as conn:
        return list(conn.execute(select(process_instance.c.id).where(
            process_instance.c.status.in_(OPEN), process_instance.c.next_timer_due.is_not(None))
            .order_by(process_instance.c.id)).scalars())


def _lock(ctx: Services, conn: Connection, instance_id: int) -> Locked | None:
    query = select(*LOCK_COLUMNS).where(process_instance.c.id == instance_id, process_instance.c.status.in_(OPEN))
    if ctx.db.is_postgresql:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return Locked(*row) if row else None


def _reproject(conn: Connection, workflow: Any) -> list[dict[str, Any]]:
    dues = []
    for task in runtime.ready_tasks(workflow):
        conn.execute(update(human_task).where(human_task.c.id == task.id, human_task.c.status.in_(OPEN_TASKS))
                     .values(due_at=to_db(task.due), due_provisional=task.due_provisional))
        dues.append({"task": task.name, "due": task.due.isoformat() if task.due else None,
                     "provisional": task.due_provisional})
    return dues


def _recompute_one(ctx: Services, calendar: Calendar, instance_id: int, reason: str) -> bool:
    with ctx.db.write() as conn:
        inst = _lock(ctx, conn, instance_id)
        if inst is None:
            return False
        model = model_by_id(ctx, conn, inst.model_id)
        workflow = runtime.restore(model, inst.state, ctx.script_engine)
        before_dues = runtime.next_timer(workflow)
        if not runtime.update_open_data(workflow, lambda data: _updates(calendar, ctx.today(), data)):
            return False
        ready = {t.id: t for t in runtime.ready_tasks(workflow)}
        writes = StepWrites()
        save_step(ctx, conn, inst, model, workflow, ready, runtime.current_data(workflow), writes, actor_id=None)
        dues = _reproject(conn, workflow)
        writes.audit("deadline_recomputed", ctx.clock.now(), instance_id=inst.id, data={
            "reason": reason, "next_timer_before": before_dues.isoformat() if before_dues else None,
            "tasks": dues})
        writes.flush(conn)
    return True


def recompute_deadlines(ctx: Services, reason: str) -> list[int]:
    """Recompute the deadlines of every running or suspended instance with a timer; return the instances changed."""
    calendar = ctx.calendar()
    changed = [i for i in _candidates(ctx) if _recompute_one(ctx, calendar, i, reason)]
    with ctx.db.write() as conn:
        put_setting(conn, COMPUTED, fingerprint(calendar), ctx.clock.now())
    return changed


def ensure_current(ctx: Services) -> list[int] | None:
    """Recompute deadlines if the calendar package or the overrides changed since they were computed."""
    calendar = ctx.calendar()
    with ctx.db.read() as conn:
        stored = get_setting(conn, COMPUTED)
    if stored == fingerprint(calendar):
        return None
    return recompute_deadlines(ctx, "calendar_changed")
