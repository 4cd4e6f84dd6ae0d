"""Administration pages (role admin): users, their roles and organisations; organisations."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from services.admin import (
    add_user, admin_overview, create_organization, update_user, user_for_edit,
)
from services.errors import ConflictError, ValidationError
from web.app import services as ctx
from web.pages.auth import actor
from web.pages.messages import translate

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _status(exc: Exception) -> int:
    return 409 if isinstance(exc, ConflictError) else 422


@bp.get("/")
def index() -> Response:
    """Open the user list."""
    return redirect(url_for("admin.users"))


@bp.get("/users")
def users() -> str:
    """List every user with organisation, roles and whether it may sign in."""
    return render_template("admin/users.html", **admin_overview(ctx(), actor()))


def _user_form() -> dict[str, Any]:
    return {"username": request.form.get("username", "").strip(),
            "display_name": request.form.get("display_name", "").strip(),
            "organization": request.form.get("organization", ""),
            "email": request.form.get("email"),
            "roles": request.form.getlist("roles")}


@bp.route("/users/new", methods=["GET", "POST"])
def new_user() -> Response | str | tuple[str, int]:
    """Create a user."""
    overview = admin_overview(ctx(), actor())
    if request.method == "GET":
        return render_template("admin/user_new.html", form={"roles": []}, **overview)
    form = _user_form()
    try:
        add_user(ctx(), actor(), form["username"], request.form.get("password", ""), form["display_name"],
                 form["organization"], form["roles"], email=form["email"])
    except (ValidationError, ConflictError) as exc:
        page = render_template("admin/user_new.html", form=form, error=translate(exc.message), **overview)
        return page, _status(exc)
    flash(_("User %(name)s was created.", name=form["username"]), "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<username>", methods=["GET", "POST"])
def edit_user(username: str) -> Response | str | tuple[str, int]:
    """Change a user's roles, organisation, name, password or whether it may sign in."""
    page = user_for_edit(ctx(), actor(), username)
    if request.method == "GET":
        return render_template("admin/user_edit.html", **page)
    form = _user_form()
    try:
        update_user(ctx(), actor(), username, roles=form["roles"], org_code=form["organization"],
                    active=request.form.get("active") == "on", display_name=form["display_name"],
                    password=request.form.get("password") or None, email=form["email"])
    except (ValidationError, ConflictError) as exc:
        user = {**page["user"], **{k: v for k, v in form.items() if k != "username"}}
        html = render_template("admin/user_edit.html", **{**page, "user": user}, error=translate(exc.message))
        return html, _status(exc)
    flash(_("User %(name)s was updated.", name=username), "success")
    return redirect(url_for("admin.users"))


@bp.route("/organizations", methods=["GET", "POST"])
def organizations() -> Response | str | tuple[str, int]:
    """List organisations and create one."""
    overview = admin_overview(ctx(), actor())
    if request.method == "GET":
        return render_template("admin/organizations.html", form={}, **overview)
    form = {k: request.form.get(k, "").strip() for k in ("code", "name", "name_en", "kind")}
    try:
        create_organization(ctx(), actor(), form["code"], form["name"], form["kind"], form["name_en"])
    except (ValidationError, ConflictError) as exc:
        page = render_template("admin/organizations.html", form=form, error=translate(exc.message), **overview)
        return page, _status(exc)
    flash(_("Organisation %(code)s was created.", code=form["code"]), "success")
    return redirect(url_for("admin.organizations"))
