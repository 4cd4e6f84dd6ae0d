"""A user's notifications: the list, and marking them read."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from services.notifications.core import list_for, mark_read
from web.app import services as ctx
from web.pages.auth import actor

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("/")
def index() -> str:
    """List the signed-in user's notifications, unread first."""
    return render_template("notifications/list.html", **list_for(ctx(), actor()))


@bp.post("/read")
def read() -> Response:
    """Mark one notification (field `id`) or all of them read."""
    text = request.form.get("id", "").strip()
    mark_read(ctx(), actor(), int(text) if text.isdigit() and len(text) <= 18 else None)
    return redirect(url_for("notifications.index"))
