"""The dashboard over all projects (supervisors' and administrators' home; a tab for the bureau and the BDC)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from werkzeug.wrappers import Response

from services.oversight.access import home_is_dashboard, may_act, may_see_audit, may_see_dashboard
from services.oversight.dashboard import dashboard, export_rows, organizations
from services.oversight.filters import InstanceFilter
from services.oversight.listing import SORTS, Sort
from web.app import services as ctx
from web.pages import exports, formatting, labels
from web.pages.auth import actor
from web.pages.paging import page_number

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
PER_PAGE = 20
STATUS_ORDER = ("running", "suspended", "completed", "rejected", "withdrawn", "terminated")


@bp.before_app_request
def dashboard_home() -> Response | None:
    """Send supervisors and administrators, who have no task list, from the home page to the dashboard."""
    user = g.get("actor")
    if request.endpoint == "tasks.inbox" and user is not None and home_is_dashboard(user):
        lang = request.args.get("lang")
        return redirect(url_for("dashboard.index", **({"lang": lang} if lang else {})))
    return None


@bp.app_context_processor
def oversight_navigation() -> dict[str, Any]:
    """Tell the templates which oversight pages the signed-in user may open."""
    user = g.get("actor")
    return {"may_see_dashboard": bool(user and may_see_dashboard(user)),
            "may_see_audit": bool(user and may_see_audit(user)),
            "may_act_on_instances": bool(user and may_act(user)),
            "home_is_dashboard": bool(user and home_is_dashboard(user))}


def _choice(name: str, allowed: Any) -> str | None:
    value = request.args.get(name) or None
    return value if value in allowed else None


def _code(name: str) -> str | None:
    value = (request.args.get(name) or "").strip()
    return value[:64] or None


def current_filter() -> InstanceFilter:
    """Return the dashboard filter of this request's query string."""
    year = request.args.get("year", "").strip()
    return InstanceFilter(
        year=int(year) if year.isdigit() and len(year) == 4 else None, round=_choice("round", labels.ROUNDS),
        stage=_choice("stage", labels.PROJECT_STAGES), status=_choice("status", labels.STATUSES),
        bank=_code("bank"), department=_code("department"), category=_choice("category", labels.CATEGORIES),
        overdue=request.args.get("overdue") == "1", text=(request.args.get("q") or "").strip()[:100] or None)


def current_sort() -> Sort:
    """Return the list order of this request's query string (newest first by default)."""
    key = request.args.get("sort", "id")
    return Sort(key if key in SORTS else "id", request.args.get("dir") != "asc")


def _args() -> dict[str, str]:
    return {k: v for k, v in request.args.items() if k not in ("page", "lang") and v}


@bp.get("/")
def index() -> str:
    """Show counts, amounts, payments overdue and due soon, and the filtered, sorted project list."""
    flt, sort = current_filter(), current_sort()
    data = dashboard(ctx(), actor(), flt, sort, page=page_number(), per_page=PER_PAGE)
    listed = data["instances"]
    orgs = {o["code"]: o for o in data["options"]["banks"] + data["options"]["departments"]}
    return render_template(
        "dashboard/index.html", d=data, listed=listed, flt=flt, sort=sort, args=_args(), orgs=orgs,
        pages=max(1, -(-listed["total"] // listed["per_page"])), stage_counts=_stage_counts(data["counts"]),
        statuses=[s for s in STATUS_ORDER if s in labels.STATUSES], stages=labels.PROJECT_STAGES,
        rounds=labels.ROUNDS, categories=labels.CATEGORIES)


def _stage_counts(counts: list[dict[str, Any]]) -> list[tuple[str, int]]:
    open_ = {}
    for row in counts:
        if row["status"] in ("running", "suspended"):
            open_[row["stage"]] = open_.get(row["stage"], 0) + row["instances"]
    return [(stage, open_[stage]) for stage in labels.WORKING_STAGES if stage in open_]


HEADER = (
    ("instance_id", _l("No.")), ("title", _l("Project")), ("year", _l("Year")), ("round", _l("Round")),
    ("category", _l("Category")), ("department", _l("Department")), ("bank", _l("Cooperating bank")),
    ("stage", _l("Stage")), ("status", _l("Status")), ("budget", _l("Declared budget")),
    ("approved_budget", _l("Approved budget")), ("plan_amount", _l("Planned amount")),
    ("contract_price", _l("Contract price")), ("paid_total", _l("Paid")),
    ("procurement_no", _l("Procurement number")), ("contractor", _l("Contractor")),
    ("contract_no", _l("Contract number")), ("payment_due", _l("Payment due")), ("overdue", _l("Overdue")),
    ("created_at", _l("Declared at")), ("updated_at", _l("Last change")),
)
MONEY_KEYS = frozenset({"budget", "approved_budget", "plan_amount", "contract_price", "paid_total"})


def _cell(key: str, item: dict[str, Any], orgs: dict[str, Any]) -> Any:
    value = item.get(key)
    if value is None:
        return None
    if key in MONEY_KEYS:
        return Decimal(value)
    shown = {"round": labels.round_, "category": labels.category, "stage": labels.stage, "status": labels.status}
    if key in shown:
        return shown[key](value)
    if key in ("department", "bank"):
        return labels.organization_name(orgs.get(value))
    if key == "payment_due":
        return formatting.due_text(value)
    if key in ("created_at", "updated_at"):
        return formatting.datetime_text(value)
    if key == "overdue":
        return _("Yes") if value else ""
    return value


@bp.get("/export.<kind>")
def export(kind: str) -> Response:
    """Download the filtered, sorted project list as CSV or XLSX (all pages)."""
    if kind not in ("csv", "xlsx"):
        return redirect(url_for("dashboard.index", **_args()))
    items = export_rows(ctx(), actor(), current_filter(), current_sort())
    orgs = organizations(ctx(), actor())
    rows = ([_cell(key, item, orgs) for key, _title in HEADER] for item in items)
    header = [str(title) for _key, title in HEADER]
    name = f"projects-{ctx().clock.today().isoformat()}.{kind}"
    if kind == "csv":
        return exports.csv_response(name, header, rows)
    return exports.xlsx_response(name, _("Projects"), header, rows)
