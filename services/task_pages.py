"""What a person sees and submits on a task page: the form, the project around it, the uploads."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, select

from models.tables import human_task, process_instance
from services import audit, files, forms, returns
from services.calendar.status import due_status
from services.clock import from_db
from services.context import Services
from services.errors import ConflictError, FieldError, Hidden, NotFound, ValidationError
from services.plans.process import PROCESS_ID as PLAN_PROCESS
from services.plans.view import plan_view
from services.process_models import model_by_id
from services.project_pages import project_page_in
from services.tasks import SUSPENDED, complete_task, may_complete, refusal, task_form
from services.users import Actor
from services.visibility import can_see_instance


@dataclass(frozen=True)
class Upload:
    """A file a person attached to a form field."""

    field: str
    filename: str
    content: bytes


class SubmissionRejected(ValidationError):
    """The form has errors; carries the data as submitted (uploads stored) and their file names."""

    def __init__(self, fields: list[FieldError], data: dict[str, Any], file_names: dict[str, str]) -> None:
        super().__init__("The form has errors", fields)
        self.data = data
        self.file_names = file_names


def _task_row(conn: Connection, task_id: str) -> Row[Any] | None:
    return conn.execute(
        select(human_task.c.id, human_task.c.instance_id, human_task.c.task_name, human_task.c.title,
               human_task.c.lane, human_task.c.org_id, human_task.c.stage, human_task.c.status,
               human_task.c.form_patch, human_task.c.created_at, human_task.c.due_at, human_task.c.due_provisional,
               human_task.c.assignee_id,
               process_instance.c.model_id, process_instance.c.department_org_id,
               process_instance.c.bank_org_id, *returns.RETURN_COLUMNS)
        .join(process_instance, process_instance.c.id == human_task.c.instance_id)
        .outerjoin(returns.RETURNER, returns.RETURNER.c.id == human_task.c.returned_by)
        .where(human_task.c.id == task_id)
    ).first()


def _check(actor: Actor, row: Row[Any] | None, task_id: str) -> Row[Any]:
    if row is None:
        raise NotFound(f"task {task_id} does not exist")
    allowed = may_complete(actor, row.lane, row.org_id, row.assignee_id)
    if not allowed and not can_see_instance(actor, row.department_org_id, row.bank_org_id):
        raise Hidden("task", task_id, row.instance_id)
    if not allowed:
        raise refusal(actor, task_id, row.lane, row.assignee_id)
    if row.status == "suspended":
        raise ConflictError(SUSPENDED)
    if row.status != "ready":
        raise ConflictError(f"task {task_id} has already been handled")
    return row


def _open_form_in(ctx: Services, conn: Connection, actor: Actor,
                  task_id: str) -> tuple[Row[Any], dict[str, Any], dict[str, Any] | None]:
    row = _check(actor, _task_row(conn, task_id), task_id)
    model = model_by_id(ctx, conn, row.model_id)
    form = task_form(ctx, conn, model, row.task_name, row.form_patch, row.instance_id)
    return row, form, returns.return_info(model, row)


def _open_form(ctx: Services, actor: Actor, task_id: str) -> tuple[Row[Any], dict[str, Any], dict[str, Any] | None]:
    with ctx.db.read() as conn:
        return _open_form_in(ctx, conn, actor, task_id)


@audit.audit_denials
def task_page(ctx: Services, actor: Actor, task_id: str) -> dict[str, Any]:
    """Return a ready task's title, its form (defaults and choices filled in) and its project.

    One read transaction (one snapshot) for the whole page, the calendar's revision included.
    """
    with ctx.db.read() as conn, ctx.calendars.using(conn):
        row, form, returned = _open_form_in(ctx, conn, actor, task_id)
        project = project_page_in(ctx, conn, actor, row.instance_id)  # reads the calendar's revision too
        task = {"id": row.id, "name": row.task_name, "title": row.title, "lane": row.lane, "stage": row.stage,
                "created_at": from_db(row.created_at).isoformat(),
                "due": from_db(row.due_at).isoformat() if row.due_at else None,
                "due_provisional": bool(row.due_at is not None and row.due_provisional),
                "returned": returned, **due_status(ctx.calendar(), from_db(row.due_at), ctx.clock.now())}
        plan = plan_view(conn, row.instance_id) if project["process_id"] == PLAN_PROCESS else None
        return {"task": task, "form": form, "project": project, "plan": plan}


def _store(ctx: Services, actor: Actor, uploads: list[Upload], data: dict[str, Any],
           names: dict[str, str]) -> list[FieldError]:
    errors = []
    for upload in uploads:
        try:
            stored = files.store_file(ctx, actor, upload.filename, upload.content)
        except ValidationError as exc:
            data.pop(upload.field, None)
            errors.append(FieldError(upload.field, "upload", exc.message))
            continue
        data[upload.field] = stored["sha256"]
        names[stored["sha256"]] = stored["filename"]
    return errors


def _check_kept_files(ctx: Services, actor: Actor, form: dict[str, Any], data: dict[str, Any],
                      uploaded: set[str], names: dict[str, str]) -> list[FieldError]:
    errors = []
    for field, digest in forms.file_fields(form, data).items():
        if field in uploaded:
            continue
        try:
            names[digest] = files.open_file(ctx, actor, digest)["filename"]
        except NotFound:
            errors.append(forms.field_error(field, "file"))
    return errors


def _all_errors(ctx: Services, form: dict[str, Any], data: dict[str, Any],
                found: list[FieldError]) -> list[FieldError]:
    try:
        forms.validate(form, data, today=ctx.today())
    except ValidationError as exc:
        taken = {e.path for e in found}
        return found + [e for e in exc.fields if e.path not in taken]
    return found


def store_uploads(ctx: Services, actor: Actor, form: dict[str, Any], data: dict[str, Any],
                  uploads: list[Upload] | None) -> tuple[dict[str, Any], dict[str, str]]:
    """Store a form's uploads into *data* and check its kept files; raise SubmissionRejected keeping everything typed."""
    data, names = dict(data), {}
    uploads = [u for u in uploads or [] if u.content or u.filename]
    errors = _store(ctx, actor, uploads, data, names)
    errors += _check_kept_files(ctx, actor, form, data, {u.field for u in uploads}, names)
    if errors:
        raise SubmissionRejected(_all_errors(ctx, form, data, errors), data, names)
    return data, names


def rejected(exc: ValidationError, data: dict[str, Any], names: dict[str, str]) -> SubmissionRejected:
    """Return the refusal of a submission, keeping the data as submitted."""
    return SubmissionRejected(exc.fields or [FieldError("", "invalid", exc.message)], data, names)


def instance_title(ctx: Services, instance_id: int) -> str:
    """Return the title of an instance."""
    with ctx.db.read() as conn:
        return str(conn.execute(select(process_instance.c.title)
                                .where(process_instance.c.id == instance_id)).scalar())


@audit.audit_denials
def submit_task(ctx: Services, actor: Actor, task_id: str, data: dict[str, Any],
                uploads: list[Upload] | None = None) -> dict[str, Any]:
    """Store a task form's uploads, complete the task with their sha256 in *data*; return the outcome and title."""
    _row, form, _returned = _open_form(ctx, actor, task_id)
    data, names = store_uploads(ctx, actor, form, data, uploads)
    try:
        result = complete_task(ctx, actor, task_id, data)
    except ValidationError as exc:
        raise rejected(exc, data, names) from exc
    return {**result, "title": instance_title(ctx, result["instance_id"])}
