"""The card function list (应用功能清单): everyone reads it, the bureau maintains it."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from services.admin import list_organizations
from services.declaration.functions import (
    MAINTAINERS, add_function, delete_function, get_function, list_functions, require_maintainer, update_function,
)
from services.errors import ConflictError, ValidationError
from web.app import services as ctx
from web.pages.auth import actor
from web.pages.messages import field_messages, translate

bp = Blueprint("functions", __name__, url_prefix="/functions")
FIELDS = ("code", "name", "description", "department")


def _departments() -> list[dict[str, Any]]:
    return [o for o in list_organizations(ctx()) if o["kind"] == "department"]


def _page(form: dict[str, Any], errors: dict[str, str] | None = None, status: int = 200) -> tuple[str, int]:
    html = render_template("functions/list.html", functions=list_functions(ctx()), departments=_departments(),
                           may_edit=bool(actor().roles & MAINTAINERS), form=form, errors=errors or {})
    return html, status


@bp.get("/")
def index() -> tuple[str, int]:
    """List the card functions; the bureau also sees the form to add one."""
    return _page({})


@bp.post("/")
def add() -> Response | tuple[str, int]:
    """Add a card function."""
    form = {k: request.form.get(k, "") for k in FIELDS}
    try:
        added = add_function(ctx(), actor(), form)
    except ValidationError as exc:
        return _page(form, field_messages(exc.fields) or {"": translate(exc.message)}, 422)
    flash(_("The card function %(name)s was added.", name=added["name"]), "success")
    return redirect(url_for("functions.index"))


def _edit_page(code: str, form: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
               status: int = 200) -> tuple[str, int]:
    function = get_function(ctx(), code)
    html = render_template("functions/edit.html", function=function, departments=_departments(),
                           form=form or function, errors=errors or {})
    return html, status


@bp.route("/<code>", methods=["GET", "POST"])
def edit(code: str) -> Response | tuple[str, int]:
    """Change a card function's name, description or department."""
    if request.method == "GET":
        require_maintainer(actor())
        return _edit_page(code)
    form = {k: request.form.get(k, "") for k in FIELDS if k != "code"}
    try:
        update_function(ctx(), actor(), code, form)
    except ValidationError as exc:
        return _edit_page(code, {**form, "code": code}, field_messages(exc.fields), 422)
    flash(_("The card function was saved."), "success")
    return redirect(url_for("functions.index"))


@bp.post("/<code>/active")
def set_active(code: str) -> Response:
    """Deactivate a card function (no new declaration can pick it) or activate it again."""
    active = request.form.get("active") == "true"
    update_function(ctx(), actor(), code, {"active": active})
    flash(_("The card function is active again.") if active else _("The card function was deactivated."), "success")
    return redirect(url_for("functions.index"))


@bp.post("/<code>/delete")
def delete(code: str) -> Response | tuple[str, int]:
    """Delete a card function that no declaration has used."""
    try:
        delete_function(ctx(), actor(), code)
    except ConflictError as exc:
        flash(translate(exc.message), "error")
        return redirect(url_for("functions.index"))
    flash(_("The card function was deleted."), "success")
    return redirect(url_for("functions.index"))
