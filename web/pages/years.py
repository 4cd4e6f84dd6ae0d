"""Funding years: the annual round's dates and the supplementary rounds (the bureau manages them)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from services.declaration.rounds import MANAGERS
from services.declaration.years import add_round, list_years, set_annual_round, update_round, year_page
from services.errors import ValidationError
from web.app import services as ctx
from web.pages.auth import actor
from web.pages.messages import field_messages

bp = Blueprint("years", __name__, url_prefix="/years")
ROUND_FIELDS = ("name", "opens_on", "closes_on")


@bp.get("/")
def index() -> str:
    """List the funding years with their annual round and how many supplementary rounds each has."""
    return render_template("years/list.html", years=list_years(ctx()))


def _page(year: int, status: int = 200, **forms: Any) -> tuple[str, int]:
    page = year_page(ctx(), year)
    html = render_template("years/year.html", page=page, may_edit=bool(actor().roles & MANAGERS),
                           annual_form=forms.get("annual_form") or page["annual"],
                           annual_errors=forms.get("annual_errors") or {},
                           round_form=forms.get("round_form") or {}, round_errors=forms.get("round_errors") or {},
                           edit_id=forms.get("edit_id"), edit_form=forms.get("edit_form") or {},
                           edit_errors=forms.get("edit_errors") or {})
    return html, status


@bp.get("/<int:year>")
def show(year: int) -> tuple[str, int]:
    """Show a funding year's rounds."""
    return _page(year)


@bp.post("/<int:year>/annual")
def annual(year: int) -> Response | tuple[str, int]:
    """Set the dates of the year's annual round."""
    form = {k: request.form.get(k, "") for k in ("opens_on", "closes_on")}
    try:
        set_annual_round(ctx(), actor(), year, form)
    except ValidationError as exc:
        return _page(year, 422, annual_form=form, annual_errors=field_messages(exc.fields))
    flash(_("The annual round of %(year)s was saved.", year=year), "success")
    return redirect(url_for("years.show", year=year))


@bp.post("/<int:year>/rounds")
def add(year: int) -> Response | tuple[str, int]:
    """Open a supplementary round."""
    form = {k: request.form.get(k, "") for k in ROUND_FIELDS}
    try:
        add_round(ctx(), actor(), year, form)
    except ValidationError as exc:
        return _page(year, 422, round_form=form, round_errors=field_messages(exc.fields))
    flash(_("The supplementary round %(name)s was opened.", name=form["name"].strip()), "success")
    return redirect(url_for("years.show", year=year))


@bp.post("/<int:year>/rounds/<int:round_id>")
def edit(year: int, round_id: int) -> Response | tuple[str, int]:
    """Rename a supplementary round or move its dates."""
    form = {k: request.form.get(k, "") for k in ROUND_FIELDS}
    try:
        changed = update_round(ctx(), actor(), round_id, form)
    except ValidationError as exc:
        return _page(year, 422, edit_id=round_id, edit_form=form, edit_errors=field_messages(exc.fields))
    flash(_("The supplementary round %(name)s was saved.", name=changed["name"]), "success")
    return redirect(url_for("years.show", year=changed["year"]))
