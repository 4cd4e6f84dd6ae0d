"""Advance instances whose timers are due, one transaction per instance."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from engine import runtime
from engine.errors import EngineError
from models.tables import process_instance
from services import audit
from services.clock import to_db
from services.context import Services
from services.process_models import model_by_id
from services.steps import Locked, StepWrites, save_step

BATCH = 100


def _due_ids(ctx: Services, conn: Connection) -> list[int]:
    query = (
        select(process_instance.c.id)
        .where(process_instance.c.status == "running",
               process_instance.c.next_timer_due <= to_db(ctx.clock.now()))
        .order_by(process_instance.c.next_timer_due).limit(BATCH)
    )
    return list(conn.execute(query).scalars())


def _lock(ctx: Services, conn: Connection, instance_id: int) -> Locked | None:
    query = select(
        process_instance.c.id, process_instance.c.model_id, process_instance.c.process_id,
        process_instance.c.version, process_instance.c.status, process_instance.c.stage,
        process_instance.c.title, process_instance.c.department_org_id, process_instance.c.bank_org_id,
        process_instance.c.state,
    ).where(process_instance.c.id == instance_id, process_instance.c.status == "running",
            process_instance.c.next_timer_due <= to_db(ctx.clock.now()))
    if ctx.db.is_postgresql:
        query = query.with_for_update(skip_locked=True)
    row = conn.execute(query).first()
    return Locked(*row) if row else None


def _advance(ctx: Services, instance_id: int) -> list[str]:
    with ctx.db.write() as conn:
        inst = _lock(ctx, conn, instance_id)
        if inst is None:
            return []
        model = model_by_id(ctx, conn, inst.model_id)
        workflow = runtime.restore(model, inst.state, ctx.script_engine)
        before = {t.id: t for t in runtime.ready_tasks(workflow)}
        before_data = runtime.current_data(workflow)
        try:
            fired = runtime.fire_timers(workflow)
        except EngineError as exc:
            audit.record(conn, "timer_failed", ctx.clock.now(), instance_id=inst.id, data={"error": str(exc)})
            return []
        writes = StepWrites()
        for timer in fired:
            writes.audit("timer_fired", ctx.clock.now(), instance_id=inst.id, data={"timer": timer})
        save_step(ctx, conn, inst, model, workflow, before, before_data, writes, actor_id=None)
        writes.flush(conn)
        return fired


def fire_due_timers(ctx: Services) -> list[dict[str, Any]]:
    """Fire every due timer; return what fired in which instance."""
    with ctx.db.read() as conn:
        due = _due_ids(ctx, conn)
    results = []
    for instance_id in due:
        fired = _advance(ctx, instance_id)
        if fired:
            results.append({"instance_id": instance_id, "fired": fired})
    return results
