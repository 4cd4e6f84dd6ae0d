"""Administrators' actions on instances: suspend, resume, terminate, reassign a task; each with a reason.

A suspended instance keeps its stage; its ready tasks become `suspended` (out of every task list,
not completable) and its timers wait: the timer worker only advances running instances, and a
timer that fell due meanwhile fires at the worker's first run after the resume.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, select, update

from engine import runtime
from models.tables import human_task, process_instance
from services import audit
from services.clock import to_db
from services.context import Services
from services.errors import ConflictError, FieldError, Hidden, NotFound, ValidationError
from services.oversight import totals
from services.oversight.access import require_action
from services.process_hooks import hooks_for
from services.process_models import model_by_id
from services.users import Actor
from services.visibility import can_see_instance

MAX_REASON = 500
ENDED = "the project has already ended"


def clean_reason(reason: str | None) -> str:
    """Return the reason without surrounding spaces; refuse an empty or overlong one."""
    text = (reason or "").strip()
    if not text:
        raise ValidationError("Give a reason.", [FieldError("reason", "required", "Give a reason.")])
    if len(text) > MAX_REASON:
        raise ValidationError("The reason may have at most 500 characters.",
                              [FieldError("reason", "maxLength", "Enter at most {limit} characters.",
                                          {"limit": MAX_REASON})])
    return text


def _locked(ctx: Services, conn: Connection, actor: Actor, instance_id: int) -> Row[Any]:
    query = select(process_instance.c.id, process_instance.c.model_id, process_instance.c.status,
                   process_instance.c.stage, process_instance.c.version, process_instance.c.state,
                   process_instance.c.department_org_id, process_instance.c.bank_org_id,
                   process_instance.c.process_id).where(process_instance.c.id == instance_id)
    row = conn.execute(query.with_for_update() if ctx.db.is_postgresql else query).first()
    if row is None:
        raise NotFound(f"instance {instance_id} does not exist")
    if not can_see_instance(actor, row.department_org_id, row.bank_org_id):
        raise Hidden("instance", instance_id, instance_id)
    require_action(actor)
    return row


def _save(ctx: Services, conn: Connection, row: Row[Any], **values: Any) -> None:
    done = conn.execute(update(process_instance).where(
        process_instance.c.id == row.id, process_instance.c.version == row.version).values(
        version=row.version + 1, updated_at=to_db(ctx.clock.now()), **values))
    if done.rowcount != 1:
        raise ConflictError("the project was changed by someone else; reload and try again")
    before = totals.Place(row.bank_org_id, row.department_org_id, row.stage, row.status)
    totals.follow(conn, row.id, before, before._replace(stage=values.get("stage", row.stage),
                                                        status=values.get("status", row.status)))


def _tasks(conn: Connection, instance_id: int, old: tuple[str, ...], new: str, ctx: Services) -> None:
    values: dict[str, Any] = {"status": new}
    if new == "cancelled":
        values["completed_at"] = to_db(ctx.clock.now())
    conn.execute(update(human_task).where(human_task.c.instance_id == instance_id,
                                          human_task.c.status.in_(old)).values(**values))


def _outcome(instance_id: int, status: str, stage: str) -> dict[str, Any]:
    return {"instance_id": instance_id, "status": status, "stage": stage}


@audit.audit_denials
def suspend(ctx: Services, actor: Actor, instance_id: int, reason: str | None) -> dict[str, Any]:
    """Suspend a running instance: its tasks cannot be completed and its timers wait until it is resumed."""
    with ctx.db.write() as conn:
        row = _locked(ctx, conn, actor, instance_id)
        text = clean_reason(reason)
        if row.status != "running":
            raise ConflictError("only a running project can be suspended")
        _save(ctx, conn, row, status="suspended")
        _tasks(conn, instance_id, ("ready",), "suspended", ctx)
        audit.record(conn, "instance_suspended", ctx.clock.now(), actor_id=actor.id, instance_id=instance_id,
                     data={"reason": text})
    return _outcome(instance_id, "suspended", row.stage)


@audit.audit_denials
def resume(ctx: Services, actor: Actor, instance_id: int, reason: str | None) -> dict[str, Any]:
    """Resume a suspended instance: its tasks are ready again and any timer that fell due fires next."""
    with ctx.db.write() as conn:
        row = _locked(ctx, conn, actor, instance_id)
        text = clean_reason(reason)
        if row.status != "suspended":
            raise ConflictError("only a suspended project can be resumed")
        _save(ctx, conn, row, status="running")
        _tasks(conn, instance_id, ("suspended",), "ready", ctx)
        audit.record(conn, "instance_resumed", ctx.clock.now(), actor_id=actor.id, instance_id=instance_id,
                     data={"reason": text})
    return _outcome(instance_id, "running", row.stage)


@audit.audit_denials
def terminate(ctx: Services, actor: Actor, instance_id: int, reason: str | None) -> dict[str, Any]:
    """End a running or suspended instance for good: its open tasks are cancelled and its timers dropped."""
    now = ctx.clock.now()
    with ctx.db.write() as conn:
        row = _locked(ctx, conn, actor, instance_id)
        text = clean_reason(reason)
        if row.status not in ("running", "suspended"):
            raise ConflictError(ENDED)
        workflow = runtime.restore(model_by_id(ctx, conn, row.model_id), row.state, ctx.script_engine)
        workflow.cancel()
        _save(ctx, conn, row, state=runtime.dump(workflow), status="terminated", stage="terminated",
              completed_at=to_db(now), next_timer_due=None)
        _tasks(conn, instance_id, ("ready", "suspended"), "cancelled", ctx)
        audit.record(conn, "instance_terminated", now, actor_id=actor.id, instance_id=instance_id,
                     data={"reason": text, "stage": row.stage})
        hooks_for(row.process_id).on_terminated(ctx, conn, instance_id, actor.id, now)
    return _outcome(instance_id, "terminated", "terminated")
