"""The audit log (supervisors and administrators): every recorded action, refused attempts included."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from werkzeug.wrappers import Response

from services.oversight.audit_log import AuditFilter, audit_page, export_events
from web.app import services as ctx
from web.pages import display, exports, formatting, labels
from web.pages.audit_details import describe
from web.pages.auth import actor
from web.pages.paging import page_number

bp = Blueprint("audit", __name__, url_prefix="/audit")
PER_PAGE = 50


def _day(name: str) -> date | None:
    text = (request.args.get(name) or "").strip()
    if len(text) != 10 or text[4] != "-" or text[7] != "-" or not text.replace("-", "").isdigit():
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def current_filter() -> AuditFilter:
    """Return the audit filter of this request's query string."""
    instance = (request.args.get("instance") or "").strip().lstrip("#")
    return AuditFilter(
        user=(request.args.get("user") or "").strip()[:64] or None,
        organization=(request.args.get("organization") or "").strip()[:64] or None,
        instance_id=int(instance) if instance.isdigit() and len(instance) <= 12 else None,
        event=(request.args.get("event") or "").strip()[:40] or None,
        date_from=_day("from"), date_to=_day("to"))


def _args() -> dict[str, str]:
    return {k: v for k, v in request.args.items() if k not in ("page", "lang") and v}


@bp.get("/")
def index() -> str:
    """Show one page of the audit log, newest first, with its filters."""
    flt = current_filter()
    page = audit_page(ctx(), actor(), flt, page=page_number(), per_page=PER_PAGE)
    orgs = organizations_for_filter()
    names = {o["code"]: o for o in orgs}
    rows = [{**item, "what": display.event_name(item["event"], item["data"]), "details": describe(item, names),
             "organization_name": _organization(item, names)} for item in page["items"]]
    return render_template("audit/index.html", page=page, rows=rows, flt=flt, args=_args(),
                           events=display.AUDIT_EVENTS, values=request.args, orgs=orgs)


def _organization(item: dict[str, Any], names: dict[str, dict[str, str]]) -> str:
    """Return the name of the organisation of an entry's user in the page's language."""
    return labels.organization_name(names.get(item["organization"] or "") or {"name": item["organization_name"]})


def _instance(item: dict[str, Any]) -> str:
    """Return an entry's instance as #12 and its title, or '' for none."""
    if not item["instance_id"]:
        return ""
    return f"#{item['instance_id']} {formatting.instance_title(item['instance_title'])}".strip()


def organizations_for_filter() -> list[dict[str, str]]:
    """Return every organisation a user may belong to, for the filter."""
    from services.admin import list_organizations

    return [{"code": o["code"], "name": o["name"], "name_en": o["name_en"]} for o in list_organizations(ctx())]


HEADER = (_l("Time"), _l("User"), _l("Organisation"), _l("Action"), _l("Project"), _l("Task"), _l("Details"))


@bp.get("/export.<kind>")
def export(kind: str) -> Response:
    """Download every entry that matches the filters as CSV or XLSX."""
    if kind not in ("csv", "xlsx"):
        return redirect(url_for("audit.index", **_args()))
    items = export_events(ctx(), actor(), current_filter())
    names = {o["code"]: o for o in organizations_for_filter()}
    rows = ([formatting.datetime_text(i["at"]), i["user_name"] or "", _organization(i, names) if i["user"] else "",
             display.event_name(i["event"], i["data"]), _instance(i), i["task_id"] or "", describe(i, names)]
            for i in items)
    header = [str(h) for h in HEADER]
    name = f"audit-{ctx().clock.today().isoformat()}.{kind}"
    if kind == "csv":
        return exports.csv_response(name, header, rows)
    return exports.xlsx_response(name, _("Audit log"), header, rows)
