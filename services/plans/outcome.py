"""Deliver a confirmed plan's outcome to each project it lists, as the BPMN message `plan_outcome`.

Runs in the transaction of the bank's confirmation: each project is locked, restored, given the
message and saved by the same path user steps and timers take. A project no longer waiting (ended,
terminated) is skipped and the skip audited.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from engine import runtime
from models.tables import process_instance
from services import audit
from services.context import Services
from services.plans import records
from services.process_models import model_by_id
from services.steps import Locked, StepWrites, save_step

MESSAGE = "plan_outcome"
LIVE = ("running", "suspended")
LOCK_COLUMNS = (
    process_instance.c.id, process_instance.c.model_id, process_instance.c.process_id,
    process_instance.c.version, process_instance.c.status, process_instance.c.stage,
    process_instance.c.title, process_instance.c.department_org_id, process_instance.c.bank_org_id,
    process_instance.c.state,
)


def _lock(conn: Connection, instance_id: int) -> Locked | None:
    query = select(*LOCK_COLUMNS).where(process_instance.c.id == instance_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    return Locked(*row) if row else None


def payload(plan: Any, item: records.PlanItem) -> dict[str, Any]:
    """Return what one project learns from its confirmed plan."""
    return {"bank": plan.bank_code, "plan_amount": str(item.amount), "plan_number": plan.number,
            "plan_year": plan.year, "plan_instance_id": plan.instance_id}


def _deliver_one(ctx: Services, conn: Connection, inst: Locked, message: dict[str, Any], actor_id: int,
                 at: datetime) -> bool:
    model = model_by_id(ctx, conn, inst.model_id)
    workflow = runtime.restore(model, inst.state, ctx.script_engine)
    if inst.status not in LIVE or MESSAGE not in runtime.waiting_messages(workflow):
        return False
    before = {t.id: t for t in runtime.ready_tasks(workflow)}
    before_data = runtime.current_data(workflow)
    runtime.deliver_message(workflow, MESSAGE, message)
    writes = StepWrites()
    writes.audit("plan_outcome_delivered", at, actor_id=actor_id, instance_id=inst.id, data=message)
    save_step(ctx, conn, inst, model, workflow, before, before_data, writes, actor_id=actor_id)
    writes.flush(conn)
    return True


def deliver_outcome(ctx: Services, conn: Connection, plan_instance_id: int, actor_id: int,
                    at: datetime) -> dict[str, list[int]]:
    """Send the confirmed plan's outcome to each listed project; return which moved on and which were skipped."""
    plan = records.plan_row(conn, plan_instance_id)
    result: dict[str, list[int]] = {"delivered": [], "skipped": []}
    for item in records.items(conn, plan_instance_id):
        inst = _lock(conn, item.project_instance_id)
        message = payload(plan, item)
        if inst is not None and _deliver_one(ctx, conn, inst, message, actor_id, at):
            result["delivered"].append(item.project_instance_id)
            continue
        result["skipped"].append(item.project_instance_id)
        audit.record(conn, "plan_outcome_skipped", at, actor_id=actor_id, instance_id=item.project_instance_id,
                     data={**message, "status": inst.status if inst else None})
    return result
