"""Reconciliation with the banks (§10): the records per bank and period, and the bureau's start form."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from werkzeug.wrappers import Response

from services.errors import ConflictError, ValidationError
from services.reconciliation.listing import list_reconciliations, show_reconciliation, start_choices
from services.reconciliation.start import start_reconciliation
from web.app import services as ctx
from web.pages import formatting
from web.pages.auth import actor
from web.pages.messages import field_messages

bp = Blueprint("reconciliations", __name__, url_prefix="/reconciliations")
READERS = frozenset({"hrss", "hrss_head", "bdc", "supervisor", "admin", "bank"})
# The services' messages about reconciliations, listed so that extraction finds them.
MESSAGES = (
    _l("This project is listed twice."), _l("Project {id} is not a project your bank pays for."),
    _l("Choose one of the cooperating banks."), _l("Write a quarter like 2026Q3, a month like 2026-07 or a year."),
    _l("The period {period} has not ended yet."), _l("only the bureau may start a reconciliation"),
    _l("only the bureau, the BDC, supervisors and the cooperating banks may see reconciliations"),
)


def _list(status: int = 200, form: dict[str, str] | None = None, errors: dict[str, str] | None = None
          ) -> tuple[str, int]:
    records = list_reconciliations(ctx(), actor())
    choices = start_choices(ctx(), actor())
    form = form or ({"bank": "", "period": choices["period"]} if choices else {})
    return render_template("reconciliations/list.html", records=records, choices=choices, form=form,
                           errors=errors or {}, own_only="bank" in actor().roles and not actor().sees_all), status


@bp.get("/")
def index() -> tuple[str, int]:
    """List the reconciliations per bank and period with their figures and differences."""
    return _list()


@bp.get("/<int:record_id>")
def show(record_id: int) -> str:
    """Show one reconciliation: reported and recorded figures line by line, with every explanation."""
    return render_template("reconciliations/detail.html", record=show_reconciliation(ctx(), actor(), record_id))


@bp.post("/start")
def start() -> Response | tuple[str, int]:
    """Start a bank's reconciliation for an ended period (the bureau)."""
    form: dict[str, Any] = {k: request.form.get(k, "").strip() for k in ("bank", "period")}
    try:
        started = start_reconciliation(ctx(), actor(), form["bank"], form["period"])
    except ValidationError as exc:
        return _list(422, form, field_messages(exc.fields))
    except ConflictError:
        return _list(409, form, {"period": _("This bank's reconciliation for %(period)s has already been started.",
                                             period=formatting.period_text(form["period"].upper()))})
    flash(_("The reconciliation of %(period)s was started; the bank has been asked for its figures.",
            period=formatting.period_text(started["period"])), "success")
    return redirect(url_for("reconciliations.show", record_id=started["record_id"]))

