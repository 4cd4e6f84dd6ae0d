"""Complete a user task: lock, check, validate, run the engine, save — in one transaction."""
from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, and_, desc, insert, select

from engine import runtime
from engine.errors import EngineError
from engine.forms import apply_patch
from engine.model import LoadedModel
from models import fastpath
from models.fastpath import LockedTask
from models.tables import document, human_task
from services import audit, files, forms, idempotency
from services.clock import to_db
from services.bearer import Bearer, lock_task_as
from services.context import Services
from services.errors import (
    ConflictError, Hidden, NotFound, PermissionDenied, ProcessFailed, ValidationError,
)
from services.form_sources import FormHost, options_for, supplied_for
from services.process_hooks import TaskDone, hooks_for
from services.plans.view import with_current_remarks
from services.process_models import cached_model, model_by_id
from services.steps import Locked, StepWrites, save_step
from services.users import Actor, as_writer
from services.visibility import can_see_instance

def locked_instance(row: LockedTask) -> Locked:
    """Return the instance part of a locked row."""
    return Locked(row.id, row.model_id, row.process_id, row.version, row.status, row.stage, row.title,
                  row.department_org_id, row.bank_org_id, row.state)


SUSPENDED = "the project is suspended"


def may_complete(actor: Actor, lane: str, org_id: int | None, assignee_id: int | None = None) -> bool:
    """Return True if *actor* may complete a task of *lane* owned by *org_id* and assigned to *assignee_id*.

    A read-only role never completes anything; a task reassigned to one user is that user's alone.
    """
    return (lane in as_writer(actor).roles and (org_id is None or org_id == actor.org_id)
            and (assignee_id is None or assignee_id == actor.id))


def refusal(actor: Actor, task_id: str, lane: str, assignee_id: int | None) -> PermissionDenied:
    """Return why *actor* may not complete a task they may see."""
    if lane in as_writer(actor).roles and assignee_id is not None:
        return PermissionDenied(f"task {task_id} has been assigned to another user")
    return PermissionDenied(f"task {task_id} is for role {lane!r}, which you do not have")


def _check_actor(actor: Actor, row: LockedTask) -> None:
    allowed = may_complete(actor, row.lane, row.org_id, row.assignee_id)
    if not allowed and not can_see_instance(actor, row.department_org_id, row.bank_org_id):
        raise Hidden("task", row.task_id, row.id)
    if not allowed:
        raise refusal(actor, row.task_id, row.lane, row.assignee_id)
    if row.status == "suspended" or row.task_status == "suspended":
        raise ConflictError(SUSPENDED)
    if row.task_status != "ready":
        raise ConflictError(f"task {row.task_id} has already been handled")


@dataclass(frozen=True)
class TaskForm:
    """A task's resolved form and its validator; shared between requests, never mutated."""

    schema: dict[str, Any]
    checker: Any


@functools.lru_cache(maxsize=1024)
def _sources(digest: str, task_name: str) -> tuple[frozenset[str], frozenset[str]]:
    return forms.sources_of(cached_model(digest).form_for(task_name))


@functools.lru_cache(maxsize=4096)
def _resolved(digest: str, task_name: str, patch_json: str, options: tuple[Any, ...],
              supplied: tuple[tuple[str, Any, str, str], ...]) -> TaskForm:
    schema = apply_patch(cached_model(digest).form_for(task_name), orjson.loads(patch_json))
    if options:
        schema = forms.with_options(schema, {name: list(choices) for name, choices in options})
    if supplied:
        schema = forms.with_supplied(schema, {name: (value, title, english) for name, value, title, english in supplied})
    return TaskForm(schema, forms.checker_for(schema))


def resolved_form(ctx: Services, conn: Connection, model: LoadedModel, task_name: str, patch_json: str,
                  instance_id: int | None) -> TaskForm:
    """Return the task's form with its values, choices and host-decided values, from a process-wide cache."""
    option_names, supplied_names = _sources(model.content_hash, task_name)
    options = options_for(conn, option_names) if option_names else ()
    supplied = supplied_for(FormHost(conn, ctx.clock.today(), instance_id), supplied_names) if supplied_names else ()
    return _resolved(model.content_hash, task_name, patch_json, options, supplied)


def task_form(ctx: Services, conn: Connection, model: LoadedModel, task_name: str, patch_json: str,
              instance_id: int | None) -> dict[str, Any]:
    """Return the JSON Schema a user fills in for this task, with its values and choices.

    Values that live outside the task's data are read now: a fund plan's current remarks.
    """
    form = copy.deepcopy(resolved_form(ctx, conn, model, task_name, patch_json, instance_id).schema)
    return with_current_remarks(conn, instance_id, task_name, form) if instance_id is not None else form


def separated_steps(model: LoadedModel, task_name: str) -> list[str]:
    """Return the steps whose doer may not do *task_name* (its `separateFrom`, a comma-separated list)."""
    listed = model.user_tasks[task_name].properties.get("separateFrom") or ""
    return [name.strip() for name in listed.split(",") if name.strip()]


def did_separated_step(conn: Connection, model: LoadedModel, instance_id: int, task_name: str,
                       user_id: int) -> bool:
    """Return True if *user_id* did the latest run of a step that *task_name* must be separate from."""
    for other in separated_steps(model, task_name):
        last = conn.execute(
            select(human_task.c.completed_by).where(and_(
                human_task.c.instance_id == instance_id, human_task.c.task_name == other,
                human_task.c.status == "completed")).order_by(desc(human_task.c.completed_at)).limit(1)
        ).scalar()
        if last == user_id:
            return True
    return False


def _check_separation(conn: Connection, model: LoadedModel, row: LockedTask, actor: Actor) -> None:
    if did_separated_step(conn, model, row.id, row.task_name, actor.id):
        raise PermissionDenied("the person who prepared this step may not also approve it")


def _validated(ctx: Services, conn: Connection, actor: Actor, form: TaskForm, data: dict[str, Any]
               ) -> tuple[dict[str, Any], dict[str, str]]:
    """Return the clean data and {sha256: file name} of its files; every file must be the actor's to use."""
    try:
        clean, errors = forms.validate(form.schema, data, form.checker, today=ctx.today()), []
    except ValidationError as exc:
        if not exc.fields:
            raise
        clean, errors = {}, list(exc.fields)
    referenced = forms.file_fields(form.schema, data)
    names = files.usable(conn, actor, referenced.values()) if referenced else {}
    taken = {e.path for e in errors}
    errors += [forms.field_error(field, "file") for field, digest in referenced.items()
               if digest not in names and field not in taken]
    if errors:
        raise ValidationError("The form has errors", errors)
    return clean, names


def complete_in(ctx: Services, conn: Connection, actor: Actor, row: LockedTask, data: Any,
                workflow: Any = None) -> dict[str, Any]:
    """Complete the locked task *row* inside the caller's transaction."""
    _check_actor(actor, row)
    model = model_by_id(ctx, conn, row.model_id)
    form = resolved_form(ctx, conn, model, row.task_name, row.form_patch, row.id)
    clean, file_names = _validated(ctx, conn, actor, form, data)
    _check_separation(conn, model, row, actor)
    hooks = hooks_for(row.process_id)
    hooks.check_task(conn, row.id, row.task_name, clean)
    host = dict(hooks.host_data(conn, row.id, row.task_name, clean))
    attached = forms.file_fields(form.schema, clean)
    inst = locked_instance(row)
    workflow = workflow or runtime.restore(model, inst.state, ctx.script_engine)
    before = {t.id: t for t in runtime.ready_tasks(workflow)}
    before_data = dict(before[row.task_id].data) if row.task_id in before else {}
    hooks.check_step(conn, row.task_name, {**before_data, **clean}, inst.bank_org_id)
    try:
        runtime.complete(workflow, row.task_id, {**clean, **host})
    except EngineError as exc:
        raise ProcessFailed(f"the process could not continue: {exc}") from exc
    now, writes = ctx.clock.now(), StepWrites()
    writes.audit("task_completed", now, actor_id=actor.id, instance_id=inst.id, task_id=row.task_id,
                 data={"task": row.task_name, "title": row.task_title, "data": clean,
                       **({"host_data": host} if host else {})})
    result = save_step(ctx, conn, inst, model, workflow, before, before_data, writes,
                       actor_id=actor.id, completed=row.task_id)
    writes.flush(conn)
    hooks.on_task_completed(TaskDone(conn, inst.id, row.task_name, {**before_data, **clean, **host}, clean,
                                     result["bank_org_id"], actor.id, now, row.task_id, ctx))
    record_documents(conn, inst.id, row.task_id, attached, file_names, actor.id, now)
    return {"task_id": row.task_id, **result}


@audit.audit_denials
def complete_task(ctx: Services, caller: Actor | Bearer, task_id: str, data: Any) -> dict[str, Any]:
    """Complete the user task *task_id* with *data* as *caller*, in one transaction.

    A `Bearer` caller is verified in that transaction before anything else (TokenRefused).
    """
    if not isinstance(data, dict):
        raise ValidationError("Form data must be a JSON object.")
    with ctx.db.write() as conn, ctx.calendars.using(conn):
        actor, row = lock_task_as(ctx, conn, caller, task_id)
        if row is None:
            raise NotFound(f"task {task_id} does not exist")
        result = complete_in(ctx, conn, actor, row, data)
        idempotency.answer_in(ctx, conn, result)
        return result


def lock_task(conn: Connection, task_id: str) -> LockedTask | None:
    """Lock and return the task row *task_id* with its instance (None if unknown)."""
    return fastpath.lock_task(conn, task_id)


def record_documents(conn: Connection, instance_id: int, task_id: str, attached: dict[str, str],
                     names: dict[str, str], actor_id: int, at: datetime) -> None:
    """Link uploaded files to the instance they were submitted for, under the name the user gave them."""
    if attached:
        conn.execute(insert(document), [
            {"instance_id": instance_id, "sha256": digest, "field": field, "filename": names.get(digest),
             "task_id": task_id, "created_at": to_db(at), "created_by": actor_id}
            for field, digest in attached.items()
        ])
