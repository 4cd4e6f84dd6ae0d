"""The fund use plans per bank (§7, Attachment 1): figures, plan tables, moves and the proposed assignment."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from werkzeug.wrappers import Response

from services.errors import ConflictError, NotFound, ValidationError
from services.plans.moves import Target, move_project
from services.plans.overview import may_see_plans, plan_detail, plans_overview
from web.app import services as ctx
from web.pages.auth import actor
from web.pages.paging import page_number
from web.pages.messages import field_messages, translate

bp = Blueprint("plans", __name__, url_prefix="/plans")
STATUS = {"draft": _l("Draft, being prepared"), "review": _l("In review"),
          "signoff": _l("Awaiting the bureau head"), "bank": _l("Signed, with the bank"),
          "confirmed": _l("Funds confirmed by the bank"), "terminated": _l("Plan terminated by an administrator")}
# The services' messages about moves, listed so that extraction finds them.
MESSAGES = (
    _l("Name either the target plan or the target bank, not both."), _l("{bank} is not a cooperating bank."),
    _l("This bank has no draft plan to take the project."), _l("There is no plan {plan}."),
    _l("The project is already in this bank's plan: nothing to move."),
    _l("The target plan is for {year}; a project stays in its year."), _l("Project {project} is not in this plan."),
    _l("This plan is no longer a draft: its projects can no longer be moved."),
    _l("The target plan is no longer a draft: it takes no more projects."),
    _l("only the bureau (hrss) may move projects between plans"),
    _l("only the bureau, supervisors and the cooperating banks may see the fund use plans"),
)


@bp.app_context_processor
def plans_navigation() -> dict[str, Any]:
    """Tell the templates whether the signed-in user may open the plans."""
    user = g.get("actor")
    return {"may_see_plans": bool(user and may_see_plans(user))}


@bp.app_template_filter("plan_status")
def plan_status(status: str) -> str:
    """Return a plan's status in the page's language."""
    return str(STATUS.get(status, status))


def _year() -> int:
    text = (request.args.get("year") or request.form.get("year") or "").strip()
    return int(text) if text.isdigit() and len(text) == 4 else ctx().clock.today().year


def _index(year: int, status: int = 200, errors: dict[int, str] | None = None) -> tuple[str, int]:
    data = plans_overview(ctx(), actor(), year, page=page_number(), last_if_past=True)
    pages = max(1, -(-data["total"] // data["per_page"]))
    years = sorted({*data["years_known"], ctx().clock.today().year, year}, reverse=True)
    return render_template("plans/index.html", d=data, year=year, years=years, errors=errors or {},
                           pages=pages), status


@bp.get("/")
def index() -> tuple[str, int]:
    """Show the plans of a year per bank, paged: allocation, planned, in draft, difference and each plan's table."""
    return _index(_year())


@bp.get("/<int:plan_id>")
def show(plan_id: int) -> str:
    """Show one plan: its table with 序号 and 万元, its bank's figures and its issued tables."""
    return render_template("plans/detail.html", plan=plan_detail(ctx(), actor(), plan_id))


def _target() -> Target:
    plan = (request.form.get("target_plan_id") or "").strip()
    bank = (request.form.get("target_bank") or "").strip()
    return Target(plan_id=int(plan) if plan.isdigit() else None, bank=bank or None)


def _project_id() -> int:
    text = (request.form.get("project_id") or "").strip()
    if not text.isdigit():
        raise NotFound("no such project")
    return int(text)


@bp.post("/<int:plan_id>/moves")
def move(plan_id: int) -> Response | tuple[str, int]:
    """Move a project of a draft plan to another bank's draft plan (the bureau)."""
    project_id, year = _project_id(), _year()
    try:
        moved = move_project(ctx(), actor(), plan_id, project_id, _target())
    except ValidationError as exc:
        messages = field_messages(exc.fields) or {"": translate(exc.message)}
        return _index(year, 422, {project_id: "; ".join(messages.values())})
    except ConflictError as exc:
        return _index(year, 409, {project_id: translate(exc.message)})
    flash(_("%(project)s was moved to plan No. %(number)s of the chosen bank.", project=moved["name"],
            number=moved["target"]["number"]), "success")
    return redirect(url_for("plans.index", year=moved["target"]["year"], page=page_number(),
                            _anchor=f"plan-{moved['target']['plan_id']}"))
