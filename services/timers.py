"""Advance instances whose timers are due, one transaction each, safe with several workers.

A worker claims one due instance at a time (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's
`BEGIN IMMEDIATE` serialises writers), fires its timers, saves it and commits. If that fails, the
transaction is rolled back and the instance is marked failed in a second one, provided it is still
as claimed: it is marked once and left alone until an administrator retries it.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Select, bindparam, select, update

from engine import runtime
from models.tables import process_instance, system_setting
from services import audit
from services.calendar.store import REVISION
from services.clock import to_db
from services.context import Services
from services.notifications.payment import clock_notifications
from services.process_models import model_by_id
from services.steps import Locked, StepWrites, save_step

MAX_CLAIMS_PER_PASS = 20
LOCK_COLUMNS = (
    process_instance.c.id, process_instance.c.model_id, process_instance.c.process_id,
    process_instance.c.version, process_instance.c.status, process_instance.c.stage,
    process_instance.c.title, process_instance.c.department_org_id, process_instance.c.bank_org_id,
    process_instance.c.state,
)
@functools.cache
def _claim_query(postgresql: bool, skipping: bool) -> Select[Any]:
    """Return the claim: the running instance whose timer is due soonest, with the calendar revision."""
    revision = select(system_setting.c.value).where(system_setting.c.key == REVISION).scalar_subquery()
    query = (select(*LOCK_COLUMNS, revision)
             .where(process_instance.c.status == "running", process_instance.c.timer_failed_at.is_(None),
                    process_instance.c.next_timer_due <= bindparam("now"))
             .order_by(process_instance.c.next_timer_due).limit(1))
    if skipping:
        query = query.where(process_instance.c.id.not_in(bindparam("skip", expanding=True)))
    if postgresql:
        query = query.with_for_update(skip_locked=True, of=process_instance)
    return query


def _claim(ctx: Services, conn: Connection, skip: set[int]) -> tuple[Locked, str] | None:
    """Lock the instance whose timer is due soonest; return it with the calendar revision of this snapshot."""
    values: dict[str, Any] = {"now": to_db(ctx.clock.now())}
    if skip:
        values["skip"] = sorted(skip)
    row = conn.execute(_claim_query(ctx.db.is_postgresql, bool(skip)), values).first()
    return (Locked(*row[:-1]), row[-1] or "0") if row else None


def _fire(ctx: Services, conn: Connection, inst: Locked) -> list[str]:
    model = model_by_id(ctx, conn, inst.model_id)
    workflow = runtime.restore(model, inst.state, ctx.script_engine)
    before = {t.id: t for t in runtime.ready_tasks(workflow)}
    before_data = runtime.current_data(workflow)
    fired = runtime.fire_timers_detailed(workflow)
    writes = StepWrites()
    for timer in fired:
        writes.audit("timer_fired", ctx.clock.now(), instance_id=inst.id, data={"timer": timer.name})
    save_step(ctx, conn, inst, model, workflow, before, before_data, writes, actor_id=None)
    writes.flush(conn)
    clock_notifications(ctx, conn, inst, fired)
    return [timer.name for timer in fired]


def mark_failed(ctx: Services, conn: Connection, instance_id: int, error: str) -> None:
    """Mark an instance's timers as failed (excluded from the worker until retried) and audit it."""
    now = ctx.clock.now()
    conn.execute(update(process_instance).where(process_instance.c.id == instance_id)
                 .values(timer_failed_at=to_db(now), timer_error=error[:2000]))
    audit.record(conn, "timer_failed", now, instance_id=instance_id, data={"error": error[:2000]})


def _mark_if_unchanged(ctx: Services, inst: Locked, error: str) -> None:
    """Mark *inst* failed in a transaction of its own, unless another worker advanced or marked it meanwhile."""
    query = select(process_instance.c.version, process_instance.c.timer_failed_at).where(
        process_instance.c.id == inst.id)
    with ctx.db.write() as conn:
        row = conn.execute(query.with_for_update() if ctx.db.is_postgresql else query).first()
        if row is not None and row.version == inst.version and row.timer_failed_at is None:
            mark_failed(ctx, conn, inst.id, error)


def advance_one(ctx: Services, skip: set[int] | None = None) -> dict[str, Any] | None:
    """Claim one instance whose timer is due and advance it, in one transaction; None when nothing is due.

    If anything fails the transaction is rolled back and the instance is marked failed in a second
    one (unless another worker advanced or marked it in between), so it is not retried forever.
    """
    claimed: Locked | None = None
    try:
        with ctx.db.write() as conn:
            found = _claim(ctx, conn, skip or set())
            if found is None:
                return None
            claimed, revision = found
            with ctx.calendars.using(conn, revision):
                return {"instance_id": claimed.id, "fired": _fire(ctx, conn, claimed)}
    except Exception as exc:  # noqa: BLE001 - any failure marks the instance, never stops the worker
        if claimed is None:
            raise
        error = f"{type(exc).__name__}: {exc}"
        _mark_if_unchanged(ctx, claimed, error)
        return {"instance_id": claimed.id, "fired": [], "error": error}


@dataclass
class Pass:
    """What one pass over the due timers did."""

    fired: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)


def _too_often(ctx: Services, instance_id: int) -> None:
    with ctx.db.write() as conn:
        mark_failed(ctx, conn, instance_id, f"timers kept falling due ({MAX_CLAIMS_PER_PASS} times in one pass)")


def run_pass(ctx: Services, limit: int | None = None) -> Pass:
    """Advance every instance whose timer is due (at most *limit* claims), one transaction each."""
    result, claims, skip = Pass(), {}, set()
    while limit is None or sum(claims.values()) < limit:
        item = advance_one(ctx, skip)
        if item is None:
            break
        instance_id = item["instance_id"]
        claims[instance_id] = claims.get(instance_id, 0) + 1
        if "error" in item:
            result.failed.append(item)
        elif item["fired"]:
            result.fired.append(item)
        if claims[instance_id] >= MAX_CLAIMS_PER_PASS:
            skip.add(instance_id)
            _too_often(ctx, instance_id)
    return result


def fire_due_timers(ctx: Services) -> list[dict[str, Any]]:
    """Fire every due timer; return what fired in which instance."""
    return run_pass(ctx).fired
