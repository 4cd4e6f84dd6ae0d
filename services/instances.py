"""Start instances and show them with their tasks, history and records."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from engine import runtime
from engine.errors import EngineError
from models.tables import (
    app_user, card_function, declaration_round, document, human_task, organization, payment, process_instance,
    process_model, project, stored_file,
)
from services import audit, idempotency
from services.calendar.days import Calendar
from services.calendar.store import revision_column
from services.calendar.status import due_status
from services.clock import from_db, to_db
from services.comments import comments_of
from services.context import Services
from services.errors import Hidden, NotFound, PermissionDenied, ProcessFailed, ServiceError, ValidationError
from services.fund_project import MONEY_COLUMNS
from services.official.archive import documents_of
from services.process_hooks import hooks_for
from services.process_models import latest
from services.steps import Locked, StepWrites, save_step
from services.tasks import complete_in, lock_task
from services.users import Actor, require_writer
from services.visibility import can_see_instance

OPEN_TASK_STATUSES = ("ready", "suspended")


def _insert_instance(ctx: Services, conn: Connection, actor: Actor, model_id: int, process_id: str,
                     department_org_id: int | None, title: str) -> int:
    now = to_db(ctx.clock.now())
    return conn.execute(insert(process_instance).values(
        model_id=model_id, process_id=process_id, title=title, status="running", stage="",
        department_org_id=department_org_id, bank_org_id=None, started_by=actor.id, created_at=now,
        updated_at=now, version=0, state=b"",
    )).inserted_primary_key[0]


def start_instance(ctx: Services, actor: Actor, process_id: str, data: Any = None,
                   initial: dict[str, Any] | None = None) -> dict[str, Any]:
    """Start a new instance of *process_id* as *actor*; with *data*, also submit its first form.

    *initial* is process data the host (never the user) sets before the first step.
    """
    actor = require_writer(actor) or actor
    if hooks_for(process_id).started_by_host:
        raise PermissionDenied(f"instances of {process_id!r} are started by the system only")
    if data is not None and not isinstance(data, dict):
        raise ValidationError("Form data must be a JSON object.")
    with ctx.db.write() as conn, ctx.calendars.using(conn):
        result, workflow = start_in(ctx, conn, actor, process_id, initial)
        if data is not None:
            result = _submit_first(ctx, conn, actor, result, data, workflow)
        idempotency.answer_in(ctx, conn, result)
    return result


def start_in(ctx: Services, conn: Connection, actor: Actor, process_id: str,
             initial: dict[str, Any] | None = None) -> tuple[dict[str, Any], Any]:
    """Start an instance of *process_id* as *actor* inside the caller's transaction; return it and its workflow."""
    model_id, model = latest(conn, process_id)
    if model.start_lane and model.start_lane not in actor.roles:
        raise PermissionDenied(f"only role {model.start_lane!r} may start {process_id!r}")
    department = actor.org_id if model.start_lane == "department" else None
    try:
        workflow = runtime.start(model, ctx.script_engine, initial)
    except EngineError as exc:
        raise ProcessFailed(f"the process could not start: {exc}") from exc
    hooks = hooks_for(process_id)
    title = (hooks.start_title or model.name)[:300]
    instance_id = _insert_instance(ctx, conn, actor, model_id, process_id, department, title)
    hooks.on_start(conn, instance_id)
    audit.record(conn, "instance_started", ctx.clock.now(), actor_id=actor.id, instance_id=instance_id,
                 data={"process_id": process_id, "model_id": model_id})
    inst = Locked(instance_id, model_id, process_id, 0, "running", "", title, department, None, b"")
    writes = StepWrites()
    result = save_step(ctx, conn, inst, model, workflow, {}, {}, writes, actor_id=actor.id)
    writes.flush(conn)
    return result, workflow


def _submit_first(ctx: Services, conn: Connection, actor: Actor, started: dict[str, Any], data: dict[str, Any],
                  workflow: Any) -> dict[str, Any]:
    if len(started["ready"]) != 1:
        raise ValidationError("this process does not start with a single form to fill in")
    row = lock_task(conn, started["ready"][0]["id"])
    if row is None:
        raise ServiceError("the first task of the new instance was not saved")
    return complete_in(ctx, conn, actor, row, data, workflow=workflow)


_DEPT, _BANK = organization.alias("dept"), organization.alias("bank")
_PROJECT = "project_"  # the label prefix of the project's columns in the instance's row
_PROJECT_COLUMNS = (*[c.label(_PROJECT + c.key) for c in project.c],
                    card_function.c.code.label(_PROJECT + "card_function"),
                    card_function.c.name.label(_PROJECT + "card_function_name"),
                    declaration_round.c.name.label(_PROJECT + "round_name"))
_ORG_COLUMNS = [org.c[key].label(f"{prefix}_{key}") for prefix, org in (("department", _DEPT), ("bank", _BANK))
                for key in ("code", "name", "name_en")]


@dataclass(frozen=True)
class Shown:
    """An instance as `show_instance` returns it, with what its pages need beside it, read in the same statements."""

    instance: dict[str, Any]
    model_id: int
    organizations: dict[str, dict[str, str]]  # the department and the bank the viewer may see, by code
    ready: list[Any]  # every ready task's row (lane, org_id, assignee_id), whoever may see it


def _instance_row(conn: Connection, instance_id: int) -> Any:
    """Return the instance with its model version, project, organisations and the calendar's revision: one statement."""
    return conn.execute(
        select(*[c for c in process_instance.c if c.key != "state"],
               process_model.c.version.label("model_version"), *_ORG_COLUMNS, *_PROJECT_COLUMNS, revision_column())
        .join(process_model, process_model.c.id == process_instance.c.model_id)
        .outerjoin(_DEPT, _DEPT.c.id == process_instance.c.department_org_id)
        .outerjoin(_BANK, _BANK.c.id == process_instance.c.bank_org_id)
        .outerjoin(project, project.c.instance_id == process_instance.c.id)
        .outerjoin(card_function, card_function.c.id == project.c.card_function_id)
        .outerjoin(declaration_round, declaration_round.c.id == project.c.round_id)
        .where(process_instance.c.id == instance_id)
    ).first()


def _organizations(row: Any) -> dict[str, dict[str, str]]:
    found = {}
    for role in ("department", "bank"):
        org = {key: row._mapping[f"{role}_{key}"] for key in ("code", "name", "name_en")}
        if org["code"] is not None:
            found[org["code"]] = org
    return found


def _task_rows(conn: Connection, instance_id: int) -> list[Any]:
    return list(conn.execute(select(human_task, app_user.c.username.label("assignee"))
                             .outerjoin(app_user, app_user.c.id == human_task.c.assignee_id)
                             .where(human_task.c.instance_id == instance_id)
                             .order_by(human_task.c.created_at, human_task.c.id)).all())


def _task(r: Any, calendar: Calendar, now: datetime) -> dict[str, Any]:
    return {
        "id": r.id, "name": r.task_name, "title": r.title, "lane": r.lane, "stage": r.stage,
        "status": r.status, "assignee": r.assignee, "created_at": from_db(r.created_at).isoformat(),
        "due": from_db(r.due_at).isoformat() if r.due_at else None,
        "due_provisional": bool(r.due_at is not None and r.due_provisional),
        **(due_status(calendar, from_db(r.due_at), now) if r.status == "ready" else {}),
        "completed_at": from_db(r.completed_at).isoformat() if r.completed_at else None,
    }


def _project(row: Any) -> dict[str, Any] | None:
    if row._mapping[_PROJECT + "instance_id"] is None:
        return None
    facts = {c.name.removeprefix(_PROJECT): row._mapping[c.name] for c in _PROJECT_COLUMNS
             if c.name != _PROJECT + "instance_id"}
    return {k: (str(v) if v is not None and k in MONEY_COLUMNS else v) for k, v in facts.items()}


def _payments(conn: Connection, instance_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(select(payment).where(payment.c.instance_id == instance_id).order_by(payment.c.instalment))
    return [{"instalment": r.instalment, "amount": str(r.amount), "notice_date": r.notice_date.isoformat(),
             "paid_on": r.paid_on.isoformat(), "reference": r.reference} for r in rows]


def _documents(conn: Connection, instance_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(document.c.sha256, document.c.field, document.c.task_id,
               func.coalesce(document.c.filename, stored_file.c.filename).label("filename"),
               stored_file.c.content_type, stored_file.c.size)
        .join(stored_file, stored_file.c.sha256 == document.c.sha256)
        .where(document.c.instance_id == instance_id).order_by(document.c.id))
    return [{"sha256": r.sha256, "field": r.field, "task_id": r.task_id, "filename": r.filename,
             "content_type": r.content_type, "size": r.size} for r in rows]


def _scoped_tasks(rows: list[Any], actor: Actor) -> set[str]:
    """Return the ids of the instance's tasks scoped to *actor*'s organisation in one of its roles."""
    return {r.id for r in rows if r.org_id == actor.org_id and r.lane in actor.roles}


def _view(conn: Connection, row: Any, task_rows: list[Any], own: set[str] | None, calendar: Calendar,
          now: datetime) -> dict[str, Any]:
    """Return the instance; with *own*, only those tasks and their history (a participant's view)."""
    tasks = [_task(r, calendar, now) for r in task_rows if own is None or r.id in own]
    history = [e for e in audit.history(conn, row.id) if own is None or e["task_id"] in own]
    documents = [d for d in _documents(conn, row.id) if own is None or d["task_id"] in own]
    return {
        "instance_id": row.id, "process_id": row.process_id, "model_version": row.model_version,
        "title": row.title, "status": row.status, "stage": row.stage,
        "department": row.department_code if own is None else None, "bank": row.bank_code if own is None else None,
        "created_at": from_db(row.created_at).isoformat(), "updated_at": from_db(row.updated_at).isoformat(),
        "completed_at": from_db(row.completed_at).isoformat() if row.completed_at else None,
        "next_timer_due": from_db(row.next_timer_due).isoformat() if row.next_timer_due else None,
        "timer_failed_at": from_db(row.timer_failed_at).isoformat() if row.timer_failed_at else None,
        "timer_error": row.timer_error,
        "open_tasks": [t for t in tasks if t["status"] in OPEN_TASK_STATUSES], "tasks": tasks,
        "project": _project(row) if own is None else None,
        "payments": _payments(conn, row.id) if own is None else [], "documents": documents, "history": history,
        "issued_documents": documents_of(conn, row.id) if own is None else [],
        "comments": comments_of(conn, row.id) if own is None else [], "participant_only": own is not None,
    }


@audit.audit_denials
def show_instance(ctx: Services, actor: Actor | None, instance_id: int) -> dict[str, Any]:
    """Return an instance's status, stage, tasks, history and records (scoped to *actor* if given).

    Someone who may not see the instance but has a task of it scoped to their organisation
    (a bank asked to confirm its card count) sees only those tasks and their history.
    """
    with ctx.db.read() as conn, ctx.calendars.using(conn):
        return show_instance_in(ctx, conn, actor, instance_id)


def show_instance_in(ctx: Services, conn: Connection, actor: Actor | None, instance_id: int) -> dict[str, Any]:
    """Return what `show_instance` returns, read in the caller's transaction (denials are not audited here)."""
    return shown_in(ctx, conn, actor, instance_id).instance


def shown_in(ctx: Services, conn: Connection, actor: Actor | None, instance_id: int) -> Shown:
    """Return `show_instance_in`'s instance with its model, organisations and ready tasks (no statement more)."""
    row = _instance_row(conn, instance_id)
    if row is None:
        raise NotFound(f"instance {instance_id} does not exist")
    task_rows = _task_rows(conn, instance_id)
    own = None
    if actor and not can_see_instance(actor, row.department_org_id, row.bank_org_id):
        own = _scoped_tasks(task_rows, actor)
        if not own:
            raise Hidden("instance", instance_id, instance_id)
    ctx.calendars.note_revision(row.calendar_revision)
    instance = _view(conn, row, task_rows, own, ctx.calendar(), ctx.clock.now())
    return Shown(instance, row.model_id, _organizations(row) if own is None else {},
                 [r for r in task_rows if r.status == "ready"])
