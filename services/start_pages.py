"""A new instance's first form: shown without creating anything, started only when it is submitted."""
from __future__ import annotations

from typing import Any

import orjson

from engine import runtime
from engine.errors import EngineError
from engine.forms import form_patch
from services.context import Services
from services.errors import PermissionDenied, ServiceError, ValidationError
from services.instances import start_instance
from services.process_hooks import hooks_for
from services.process_models import latest
from services.task_pages import Upload, instance_title, rejected, store_uploads
from services.tasks import task_form
from services.users import Actor


def start_page(ctx: Services, actor: Actor, process_id: str) -> dict[str, Any]:
    """Return the first form of a new *process_id* as *actor* would fill it in; nothing is stored."""
    with ctx.db.read() as conn:
        _model_id, model = latest(conn, process_id)
        if hooks_for(process_id).started_by_host:
            raise PermissionDenied(f"instances of {process_id!r} are started by the system only")
        if model.start_lane and model.start_lane not in actor.roles:
            raise PermissionDenied(f"only role {model.start_lane!r} may start {process_id!r}")
        try:
            ready = runtime.ready_tasks(runtime.start(model, ctx.script_engine))
        except EngineError as exc:
            raise ServiceError(f"the process could not start: {exc}") from exc
        if len(ready) != 1:
            raise ValidationError("this process does not start with a single form to fill in")
        info = model.user_tasks[ready[0].name]
        patch = form_patch(model.forms[info.form], ready[0].data, ctx.script_engine.environment.evaluator)
        form = task_form(ctx, conn, model, info.name, orjson.dumps(patch).decode(), None)
    task = {"name": info.name, "title": info.title, "lane": info.lane, "stage": info.stage}
    return {"process_id": process_id, "task": task, "form": form}


def submit_start(ctx: Services, actor: Actor, process_id: str, data: dict[str, Any],
                 uploads: list[Upload] | None = None) -> dict[str, Any]:
    """Store the first form's uploads, then start the instance and submit the form in one transaction."""
    form = start_page(ctx, actor, process_id)["form"]
    data, names = store_uploads(ctx, actor, form, data, uploads)
    try:
        result = start_instance(ctx, actor, process_id, data)
    except ValidationError as exc:
        raise rejected(exc, data, names) from exc
    return {**result, "title": instance_title(ctx, result["instance_id"])}
