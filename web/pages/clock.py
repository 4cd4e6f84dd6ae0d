"""Administration of the statutory clock: calendar overrides, official years, the timer worker."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from services import worker
from services.calendar import admin as calendar_admin
from services.errors import ConflictError, ValidationError
from web.app import services as ctx
from web.pages.auth import actor
from web.pages.messages import field_messages, translate

bp = Blueprint("clock", __name__, url_prefix="/admin")


def _year() -> int:
    text = request.values.get("year", "").strip()
    return int(text) if text.isdigit() and len(text) == 4 else ctx().clock.today().year


def _calendar_page(year: int, status: int = 200, **extra: Any) -> tuple[str, int]:
    page = calendar_admin.year_page(ctx(), actor(), year)
    html = render_template("admin/calendar.html", page=page, years=range(year - 2, year + 3),
                           form=extra.pop("form", {}), errors=extra.pop("errors", {}), **extra)
    return html, status


@bp.get("/calendar")
def calendar() -> tuple[str, int]:
    """Show a year's overrides, whether it is official, and its holidays and make-up days."""
    return _calendar_page(_year())


def _done(message: str, year: int) -> Response:
    flash(message, "success")
    return redirect(url_for("clock.calendar", year=year))


@bp.post("/calendar/overrides")
def add_override() -> Response | tuple[str, int]:
    """Add or replace the override of one day."""
    form = {k: request.form.get(k, "").strip() for k in ("day", "name", "source", "kind")}
    try:
        result = calendar_admin.add_override(ctx(), actor(), form["day"], form["kind"] == "workday",
                                             form["name"], form["source"])
    except ValidationError as exc:
        return _calendar_page(_year(), 422, form=form, errors=field_messages(exc.fields),
                              error=None if exc.fields else translate(exc.message))
    return _done(_("Saved %(day)s; %(num)d deadlines recomputed.", day=result["day"],
                   num=len(result["recomputed"])), int(result["day"][:4]))


@bp.post("/calendar/overrides/<day>/delete")
def remove_override(day: str) -> Response:
    """Remove the override of one day."""
    result = calendar_admin.remove_override(ctx(), actor(), day)
    return _done(_("Removed %(day)s; %(num)d deadlines recomputed.", day=result["day"],
                   num=len(result["recomputed"])), int(result["day"][:4]))


@bp.post("/calendar/years/<int:year>")
def mark_year(year: int) -> Response | tuple[str, int]:
    """Mark a year's overrides as the official notice (or revoke that)."""
    official = request.form.get("official") == "1"
    try:
        result = calendar_admin.mark_year(ctx(), actor(), year, official, request.form.get("source", ""))
    except ValidationError as exc:
        return _calendar_page(year, 422, error=translate(exc.message))
    return _done(_("Year %(year)d updated; %(num)d deadlines recomputed.", year=year,
                   num=len(result["recomputed"])), year)


@bp.get("/timers")
def timers() -> str:
    """Show the timer workers' heartbeats and the instances whose timers failed."""
    return render_template("admin/timers.html", **worker.overview(ctx(), actor()))


@bp.post("/timers/<int:instance_id>/retry")
def retry(instance_id: int) -> Response:
    """Let the worker try a failed instance's timers again."""
    try:
        worker.retry(ctx(), actor(), instance_id)
    except ConflictError as exc:
        flash(translate(exc.message), "error")
        return redirect(url_for("clock.timers"))
    flash(_("Project #%(id)d will be tried again at the next pass.", id=instance_id), "success")
    return redirect(url_for("clock.timers"))
