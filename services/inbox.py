"""A user's task list: one indexed query over the task projection, no workflow loaded."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, case, false, func, or_, select

from models.tables import human_task, process_instance, project
from services import returns
from services.calendar.status import due_status
from services.clock import from_db, to_db
from services.context import Services
from services.process_models import model_by_id
from services.steps import SCOPED_LANES
from services.tasks import task_form
from services.users import Actor, as_writer

INBOX_LIMIT = 500


def inbox_clause(actor: Actor) -> ColumnElement[bool]:
    """Return the WHERE clause selecting the ready tasks *actor* may complete."""
    clauses = []
    for role in sorted(as_writer(actor).roles):
        scoped = human_task.c.org_id == actor.org_id if role in SCOPED_LANES else human_task.c.org_id.is_(None)
        clauses.append(and_(human_task.c.lane == role, scoped))
    if not clauses:
        return false()
    assigned = or_(human_task.c.assignee_id.is_(None), human_task.c.assignee_id == actor.id)
    return and_(human_task.c.status == "ready", or_(*clauses), assigned)


@dataclass(frozen=True)
class InboxFilter:
    """Narrows a task list to one step, year or declaration round."""

    stage: str | None = None
    year: int | None = None
    round: str | None = None


def _narrowed(query: Select[Any], flt: InboxFilter | None) -> Select[Any]:
    if flt is None:
        return query
    if flt.stage:
        query = query.where(human_task.c.stage == flt.stage)
    if flt.year is not None or flt.round:
        query = query.join(project, project.c.instance_id == human_task.c.instance_id)
        if flt.year is not None:
            query = query.where(project.c.year == flt.year)
        if flt.round:
            query = query.where(project.c.round == flt.round)
    return query


def inbox_query(actor: Actor, limit: int = INBOX_LIMIT, flt: InboxFilter | None = None) -> Select[Any]:
    """Return the SELECT of *actor*'s task list, soonest due first, then longest waiting."""
    query = (
        select(human_task.c.id, human_task.c.instance_id, human_task.c.task_name, human_task.c.title,
               human_task.c.lane, human_task.c.stage, human_task.c.due_at, human_task.c.due_provisional,
               human_task.c.created_at,
               human_task.c.form_patch, process_instance.c.title.label("instance_title"),
               process_instance.c.model_id, *returns.RETURN_COLUMNS)
        .join(process_instance, process_instance.c.id == human_task.c.instance_id)
        .where(inbox_clause(actor))
    )
    query = returns.with_returner(query)
    return _narrowed(query, flt).order_by(
        human_task.c.due_at.asc().nulls_last(), human_task.c.created_at, human_task.c.id).limit(limit)


def inbox_counts(ctx: Services, actor: Actor) -> dict[str, Any]:
    """Return how many tasks wait for *actor*: in all, overdue, and per step."""
    with ctx.db.read() as conn:
        return _counts_in(ctx, conn, actor)


def _counts_in(ctx: Services, conn: Connection, actor: Actor) -> dict[str, Any]:
    overdue = case((human_task.c.due_at < to_db(ctx.clock.now()), 1), else_=0)
    rows = conn.execute(select(human_task.c.stage, func.count(), func.sum(overdue))
                        .where(inbox_clause(actor)).group_by(human_task.c.stage)).all()
    by_stage = {r[0]: r[1] for r in rows}
    return {"total": sum(by_stage.values()), "overdue": sum(int(r[2] or 0) for r in rows), "by_stage": by_stage}


def tasks_for(ctx: Services, actor: Actor, *, with_forms: bool = False, limit: int = INBOX_LIMIT,
              flt: InboxFilter | None = None) -> list[dict[str, Any]]:
    """Return the ready tasks *actor* may complete, with their forms if asked (one read transaction)."""
    with ctx.db.read() as conn, ctx.calendars.using(conn):
        return _tasks_in(ctx, conn, actor, with_forms, limit, flt)


def _tasks_in(ctx: Services, conn: Connection, actor: Actor, with_forms: bool, limit: int,
              flt: InboxFilter | None) -> list[dict[str, Any]]:
    rows = conn.execute(inbox_query(actor, limit, flt)).all()
    if not rows:
        return []
    calendar, now = ctx.calendar(), ctx.clock.now()
    result = []
    for r in rows:
        clock = due_status(calendar, from_db(r.due_at), now)
        item = {
            "id": r.id, "instance_id": r.instance_id, "name": r.task_name, "title": r.title,
            "lane": r.lane, "stage": r.stage, "project": r.instance_title,
            "due": from_db(r.due_at).isoformat() if r.due_at else None,
            "due_provisional": bool(r.due_at is not None and r.due_provisional),
            "created_at": from_db(r.created_at).isoformat(),
            "returned": returns.return_info(model_by_id(ctx, conn, r.model_id), r) if r.returned_from else None,
            "due_date": clock["due_date"], "days_left": clock["days_left"], "days_late": clock["days_late"],
        }
        if with_forms:
            item["form"] = task_form(ctx, conn, model_by_id(ctx, conn, r.model_id), r.task_name, r.form_patch,
                                     r.instance_id)
        result.append(item)
    return result


def inbox_page(ctx: Services, actor: Actor, flt: InboxFilter | None = None,
               limit: int = INBOX_LIMIT) -> dict[str, Any]:
    """Return a user's home page data: task counts and the (filtered) ready tasks, in one read transaction."""
    with ctx.db.read() as conn, ctx.calendars.using(conn):
        return {"counts": _counts_in(ctx, conn, actor), "tasks": _tasks_in(ctx, conn, actor, False, limit, flt)}
