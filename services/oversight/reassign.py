"""Reassign a ready task to one named user who holds its role (in its organisation, for scoped lanes).

From then on only that user sees the task in their list and may complete it.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, select, update

from models import fastpath
from models.fastpath import LockedTask
from models.tables import app_user, human_task, process_instance, user_role
from services import audit
from services.context import Services
from services.errors import ConflictError, FieldError, Hidden, NotFound, ValidationError
from services.oversight.access import may_act, require_action
from services.oversight.actions import clean_reason
from services.process_models import model_by_id
from services.steps import SCOPED_LANES
from services.tasks import SUSPENDED, did_separated_step
from services.users import Actor, actor_by_username
from services.visibility import can_see_instance


def _refuse(template: str, **params: Any) -> ValidationError:
    return ValidationError("The new assignee is not valid.", [FieldError("to", "invalid", template, params)])


def _target(conn: Connection, username: str, row: LockedTask) -> Actor:
    try:
        target = actor_by_username(conn, (username or "").strip())
    except NotFound:
        raise _refuse("Unknown user {user}.", user=username) from None
    if row.lane not in target.roles or (row.lane in SCOPED_LANES and target.org_id != row.org_id):
        raise _refuse("{user} does not hold the role {role} in the organisation of this task.",
                      user=target.username, role=row.lane)
    return target


def _check_separation(ctx: Services, conn: Connection, row: LockedTask, target: Actor) -> None:
    if did_separated_step(conn, model_by_id(ctx, conn, row.model_id), row.id, row.task_name, target.id):
        raise _refuse("{user} prepared the step this task checks and may not also approve it.", user=target.username)


def _username(conn: Connection, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    return conn.execute(select(app_user.c.username).where(app_user.c.id == user_id)).scalar()


@audit.audit_denials
def reassign(ctx: Services, actor: Actor, task_id: str, username: str, reason: str | None) -> dict[str, Any]:
    """Give the ready task *task_id* to *username*, who alone may then complete it."""
    with ctx.db.write() as conn:
        row = fastpath.lock_task(conn, task_id)
        if row is None:
            raise NotFound(f"task {task_id} does not exist")
        if not can_see_instance(actor, row.department_org_id, row.bank_org_id):
            raise Hidden("task", task_id, row.id)
        require_action(actor)
        text = clean_reason(reason)
        if row.status == "suspended" or row.task_status == "suspended":
            raise ConflictError(SUSPENDED)
        if row.task_status != "ready":
            raise ConflictError(f"task {task_id} has already been handled")
        target = _target(conn, username, row)
        _check_separation(ctx, conn, row, target)
        conn.execute(update(human_task).where(human_task.c.id == task_id).values(assignee_id=target.id))
        audit.record(conn, "task_reassigned", ctx.clock.now(), actor_id=actor.id, instance_id=row.id,
                     task_id=task_id, data={"reason": text, "task": row.task_name, "title": row.task_title,
                                            "to": target.username, "to_name": target.display_name,
                                            "from": _username(conn, row.assignee_id)})
    return {"task_id": task_id, "instance_id": row.id, "assignee": target.username,
            "assignee_name": target.display_name}


def _candidates(conn: Connection, tasks: list[Any]) -> dict[str, list[dict[str, str]]]:
    lanes = {t.lane for t in tasks}
    if not lanes:
        return {}
    users = conn.execute(select(app_user.c.username, app_user.c.display_name, app_user.c.organization_id,
                                user_role.c.role)
                         .join(user_role, user_role.c.user_id == app_user.c.id)
                         .where(user_role.c.role.in_(lanes), app_user.c.is_active.is_(True))
                         .order_by(app_user.c.username)).all()
    return {t.id: [{"username": u.username, "display_name": u.display_name} for u in users
                   if u.role == t.lane and (t.lane not in SCOPED_LANES or u.organization_id == t.org_id)]
            for t in tasks}


def admin_panel(ctx: Services, actor: Actor, instance_id: int) -> dict[str, Any] | None:
    """Return what an administrator may do to an instance (None for everyone else)."""
    if not may_act(actor):
        return None
    with ctx.db.read() as conn:
        status = conn.execute(select(process_instance.c.status)
                              .where(process_instance.c.id == instance_id)).scalar()
        if status is None:
            return None
        tasks = conn.execute(
            select(human_task.c.id, human_task.c.task_name, human_task.c.title, human_task.c.lane,
                   human_task.c.org_id, human_task.c.status, app_user.c.username.label("assignee"),
                   app_user.c.display_name.label("assignee_name"))
            .outerjoin(app_user, app_user.c.id == human_task.c.assignee_id)
            .where(and_(human_task.c.instance_id == instance_id, human_task.c.status == "ready"))
            .order_by(human_task.c.created_at, human_task.c.id)).all()
        candidates = _candidates(conn, tasks)
    return {"status": status, "may_suspend": status == "running", "may_resume": status == "suspended",
            "may_terminate": status in ("running", "suspended"),
            "tasks": [{"id": t.id, "name": t.task_name, "title": t.title, "lane": t.lane, "assignee": t.assignee,
                       "assignee_name": t.assignee_name, "candidates": candidates.get(t.id, [])} for t in tasks]}
