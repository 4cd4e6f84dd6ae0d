"""Read-only queries the JSON API needs beyond the inbox and the instance view."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from models.tables import human_task, process_instance
from services import audit
from services.clock import from_db
from services.context import Services
from services.errors import Hidden, NotFound
from services.plans.view import task_plan
from services.process_models import model_by_id
from services.tasks import may_complete, task_form
from services.users import Actor
from services.visibility import can_see_instance

_COLUMNS = (
    human_task.c.id, human_task.c.instance_id, human_task.c.task_name, human_task.c.title,
    human_task.c.lane, human_task.c.org_id, human_task.c.stage, human_task.c.status,
    human_task.c.form_patch, human_task.c.created_at, human_task.c.due_at, human_task.c.due_provisional,
    human_task.c.completed_at, human_task.c.assignee_id,
    process_instance.c.model_id, process_instance.c.title.label("instance_title"),
    process_instance.c.status.label("instance_status"), process_instance.c.stage.label("instance_stage"),
    process_instance.c.department_org_id, process_instance.c.bank_org_id,
)


def _iso(moment: datetime | None) -> str | None:
    aware = from_db(moment)
    return aware.isoformat() if aware is not None else None


@audit.audit_denials
def task_detail(ctx: Services, actor: Actor, task_id: str) -> dict[str, Any]:
    """Return one task with its project, its form (values and choices filled) and, in a plan, the plan's table."""
    query = select(*_COLUMNS).join(process_instance, process_instance.c.id == human_task.c.instance_id)
    with ctx.db.read() as conn:
        row = conn.execute(query.where(human_task.c.id == task_id)).first()
        if row is None:
            raise NotFound(f"task {task_id} does not exist")
        assignee = may_complete(actor, row.lane, row.org_id, row.assignee_id)
        if not assignee and not can_see_instance(actor, row.department_org_id, row.bank_org_id):
            raise Hidden("task", task_id, row.instance_id)
        form = task_form(ctx, conn, model_by_id(ctx, conn, row.model_id), row.task_name, row.form_patch,
                         row.instance_id)
        plan = task_plan(conn, row.instance_id)
    return {
        "id": row.id, "instance_id": row.instance_id, "name": row.task_name, "title": row.title,
        "lane": row.lane, "stage": row.stage, "status": row.status,
        "created_at": _iso(row.created_at), "due": _iso(row.due_at), "completed_at": _iso(row.completed_at),
        "due_provisional": bool(row.due_at is not None and row.due_provisional),
        "can_complete": assignee and row.status == "ready",
        "project": {"instance_id": row.instance_id, "title": row.instance_title,
                    "status": row.instance_status, "stage": row.instance_stage},
        "form": form,
        "plan": plan,
    }
