"""Administrators' actions on a project page: suspend, resume, terminate, reassign a task (with a reason)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from services.errors import FieldError, ValidationError
from services.oversight import actions
from services.oversight.reassign import admin_panel, reassign
from services.project_pages import project_page
from web.app import services as ctx
from web.pages import display
from web.pages.auth import actor
from web.pages.messages import field_messages, translate

bp = Blueprint("oversight", __name__, url_prefix="/oversight")
INSTANCE_ACTIONS = {
    "suspend": (actions.suspend, _l("The project was suspended.")),
    "resume": (actions.resume, _l("The project was resumed.")),
    "terminate": (actions.terminate, _l("The project was terminated.")),
}


@bp.app_context_processor
def admin_actions_helper() -> dict[str, Any]:
    """Give the project page a way to ask what the signed-in administrator may do."""
    def admin_panel_for(instance_id: int) -> dict[str, Any] | None:
        user = g.get("actor")
        return admin_panel(ctx(), user, instance_id) if user is not None else None
    return {"admin_panel_for": admin_panel_for}


def _refused(instance_id: int, exc: ValidationError, form: dict[str, str]) -> tuple[str, int]:
    messages = field_messages(exc.fields) if exc.fields else {"": translate(exc.message)}
    project = project_page(ctx(), actor(), instance_id)
    html = render_template("projects/detail.html", **display.context(project), admin_errors=messages, admin_form=form)
    return html, 422


@bp.post("/instances/<int:instance_id>/<action>")
def act(instance_id: int, action: str) -> Response | tuple[str, int]:
    """Suspend, resume or terminate a project with the posted reason."""
    if action not in INSTANCE_ACTIONS:
        raise NotFound()
    run, done = INSTANCE_ACTIONS[action]
    reason = request.form.get("reason", "")
    try:
        if action == "terminate" and request.form.get("confirm") != "yes":
            raise ValidationError("Confirm that the project ends for good.", [FieldError(
                "confirm", "required", "Confirm that the project ends for good.")])
        run(ctx(), actor(), instance_id, reason)
    except ValidationError as exc:
        return _refused(instance_id, exc, {"action": action, "reason": reason})
    flash(str(done), "success")
    return redirect(url_for("projects.show", instance_id=instance_id))


@bp.post("/tasks/<task_id>/reassign")
def reassign_task(task_id: str) -> Response | tuple[str, int]:
    """Give a ready task to the chosen user, with the posted reason."""
    reason, to = request.form.get("reason", ""), request.form.get("to", "")
    instance_id = request.form.get("instance_id", "")
    try:
        done = reassign(ctx(), actor(), task_id, to, reason)
    except ValidationError as exc:
        if not instance_id.isdigit():
            raise
        return _refused(int(instance_id), exc, {"action": "reassign", "task_id": task_id, "to": to, "reason": reason})
    flash(_("The task was reassigned to %(user)s.", user=done["assignee_name"]), "success")
    return redirect(url_for("projects.show", instance_id=done["instance_id"]))


# Messages the oversight services send, listed so that message extraction finds them.
OVERSIGHT_MESSAGES = (
    _l("the project is suspended"), _l("Give a reason."), _l("only a running project can be suspended"),
    _l("only a suspended project can be resumed"), _l("the project has already ended"),
    _l("only an administrator may suspend, resume or terminate a project or reassign a task"),
    _l("only supervisors and administrators may read the audit log"),
    _l("only the bureau, the Big Data Center, supervisors and administrators may see the dashboard"),
    _l("The new assignee is not valid."), _l("Unknown user {user}."),
    _l("{user} does not hold the role {role} in the organisation of this task."),
    _l("{user} prepared the step this task checks and may not also approve it."),
    _l("Confirm that the project ends for good."), _l("The filter is not valid."),
    _l("Unknown organisation {code}."), _l("Unknown user or organisation {value}."),
    _l("The end date must not be earlier than the start date."),
)
