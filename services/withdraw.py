"""A department withdraws its own declaration before the BDC has reviewed it."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from engine import runtime
from models.tables import human_task, process_instance
from services import audit
from services.clock import to_db
from services.context import Services
from services.errors import ConflictError, FieldError, Hidden, NotFound, PermissionDenied, ValidationError
from services.oversight import totals
from services.process_models import model_by_id
from services.users import Actor, require_writer
from services.visibility import can_see_instance

WITHDRAWABLE_STAGES = frozenset({"declaration", "review"})
MAX_REASON = 500


def _locked(ctx: Services, conn: Any, instance_id: int, lock: bool = True) -> Any:
    query = select(process_instance.c.id, process_instance.c.model_id, process_instance.c.status,
                   process_instance.c.stage, process_instance.c.version, process_instance.c.state,
                   process_instance.c.department_org_id, process_instance.c.bank_org_id
                   ).where(process_instance.c.id == instance_id)
    return conn.execute(query.with_for_update() if lock and ctx.db.is_postgresql else query).first()


def _check(actor: Actor, row: Any, instance_id: int) -> None:
    if row is None:
        raise NotFound(f"instance {instance_id} does not exist")
    if not can_see_instance(actor, row.department_org_id, row.bank_org_id):
        raise Hidden("instance", instance_id, instance_id)
    if "department" not in actor.roles or row.department_org_id != actor.org_id:
        raise PermissionDenied("only the declaring department may withdraw a project")
    if row.status != "running" or row.stage not in WITHDRAWABLE_STAGES:
        raise ConflictError("the project can no longer be withdrawn: the BDC has reviewed it")


def _check_reason(reason: str) -> None:
    if not reason:
        raise ValidationError("The form has errors", [
            FieldError("reason", "required", "Give the reason for withdrawing the declaration.")])
    if len(reason) > MAX_REASON:
        raise ValidationError("The form has errors", [
            FieldError("reason", "maxLength", "Enter at most {limit} characters.", {"limit": MAX_REASON})])


@audit.audit_denials
def check_withdrawable(ctx: Services, actor: Actor, instance_id: int) -> None:
    """Raise unless *actor* may withdraw the project now (the same checks as withdraw, nothing changed)."""
    with ctx.db.read() as conn:
        _check(actor, _locked(ctx, conn, instance_id, lock=False), instance_id)


@audit.audit_denials
def withdraw(ctx: Services, actor: Actor, instance_id: int, reason: str = "") -> dict[str, Any]:
    """Cancel a project still awaiting review, for a stated reason; its open tasks are cancelled, the history kept."""
    require_writer(actor)
    reason = (reason or "").strip()
    now = ctx.clock.now()
    with ctx.db.write() as conn:
        row = _locked(ctx, conn, instance_id)
        _check(actor, row, instance_id)
        _check_reason(reason)
        workflow = runtime.restore(model_by_id(ctx, conn, row.model_id), row.state, ctx.script_engine)
        workflow.cancel()
        done = conn.execute(update(process_instance).where(
            process_instance.c.id == instance_id, process_instance.c.version == row.version).values(
            state=runtime.dump(workflow), version=row.version + 1, status="withdrawn", stage="withdrawn",
            updated_at=to_db(now), completed_at=to_db(now), next_timer_due=None))
        if done.rowcount != 1:
            raise ConflictError("the project was changed by someone else; reload and try again")
        totals.follow(conn, instance_id, totals.Place(row.bank_org_id, row.department_org_id, row.stage, row.status),
                      totals.Place(row.bank_org_id, row.department_org_id, "withdrawn", "withdrawn"))
        conn.execute(update(human_task).where(human_task.c.instance_id == instance_id,
                                              human_task.c.status == "ready")
                     .values(status="cancelled", completed_at=to_db(now)))
        audit.record(conn, "instance_withdrawn", now, actor_id=actor.id, instance_id=instance_id,
                     data={"reason": reason})
    return {"instance_id": instance_id, "status": "withdrawn", "stage": "withdrawn"}
