"""Project list and project page: declare, comment, withdraw."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from services.comments import add_comment
from services.errors import ValidationError
from services.start_pages import start_page, submit_start
from services.task_pages import SubmissionRejected
from services.project_pages import project_page
from services.projects import ProjectFilter, project_list_page
from services.withdraw import check_withdrawable, withdraw
from web.app import services as ctx
from web.pages import display, forms, labels
from web.pages.auth import actor
from web.pages.paging import page_number
from web.pages.formdata import kept_files, parse
from web.pages.messages import field_messages, translate
from web.pages.schema import defaults

bp = Blueprint("projects", __name__, url_prefix="/projects")
PER_PAGE = 20
PROCESS_ID = "fund_project"


def _arg(name: str, allowed: Any) -> str | None:
    value = request.args.get(name) or None
    return value if value in allowed else None


def _filter() -> ProjectFilter:
    year = request.args.get("year", "").strip()
    return ProjectFilter(
        year=int(year) if year.isdigit() and len(year) == 4 else None,
        round=_arg("round", labels.ROUNDS), stage=_arg("stage", labels.STAGES),
        status=_arg("status", labels.STATUSES), text=(request.args.get("q") or "").strip()[:100] or None)


@bp.get("/")
def index() -> str:
    """List the projects the user may see, filtered and paged."""
    flt = _filter()
    page = project_list_page(ctx(), actor(), flt, page=page_number(), per_page=PER_PAGE)
    pages = max(1, -(-page["total"] // page["per_page"]))
    args = {k: v for k, v in request.args.items() if k not in ("page", "lang") and v}
    return render_template("projects/list.html", page=page, pages=pages, args=args, flt=flt,
                           stages=labels.STAGES, statuses=labels.STATUSES, rounds=labels.ROUNDS,
                           q=request.args.get("q", ""), year=request.args.get("year", ""))


def _declaration_page(page: dict[str, Any], values: dict[str, Any], errors: dict[str, str],
                      file_names: dict[str, str], status: int = 200) -> tuple[str, int]:
    fields, form_errors = forms.build(page["form"], values, errors, file_names, ctx().clock.today().isoformat())
    html = render_template(
        "projects/new.html", task=page["task"], form=page["form"], fields=fields, form_errors=form_errors,
        has_files=any(f.widget == "file" for f in fields), has_errors=bool(errors))
    return html, status


@bp.get("/new")
def new_declaration() -> tuple[str, int]:
    """Show the declaration form of a new project; nothing is stored until it is submitted."""
    page = start_page(ctx(), actor(), PROCESS_ID)
    return _declaration_page(page, defaults(page["form"]), {}, {})


@bp.post("/new")
def declare() -> Response | tuple[str, int]:
    """Start a new project with its declaration; show the form again with messages if it has errors."""
    page = start_page(ctx(), actor(), PROCESS_ID)
    posted = parse(page["form"], request.form, request.files)
    try:
        done = submit_start(ctx(), actor(), PROCESS_ID, posted.data, posted.uploads)
    except SubmissionRejected as exc:
        values = {**posted.raw, **kept_files(page["form"], exc.data)}
        return _declaration_page(page, values, field_messages(exc.fields), exc.file_names, 422)
    title = labels.task_title(page["task"]["name"], page["task"]["title"])
    flash(_("Submitted: %(task)s — %(project)s", task=title, project=done["title"]), "success")
    return redirect(url_for("tasks.inbox"))


def _render(instance_id: int, status: int = 200, **extra: Any) -> tuple[str, int]:
    project = project_page(ctx(), actor(), instance_id)
    html = render_template("projects/detail.html", **display.context(project), **extra)
    return html, status


@bp.get("/<int:instance_id>")
def show(instance_id: int) -> tuple[str, int]:
    """Show a project: status, stage, every step with its data, payments, documents, comments."""
    return _render(instance_id)


@bp.post("/<int:instance_id>/comments")
def comment(instance_id: int) -> Response | tuple[str, int]:
    """Add a comment to a project."""
    body = request.form.get("body", "")
    try:
        add_comment(ctx(), actor(), instance_id, body)
    except ValidationError as exc:
        return _render(instance_id, 422, comment_error=translate(exc.message), comment_body=body)
    flash(_("Your comment was added."), "success")
    return redirect(url_for("projects.show", instance_id=instance_id, _anchor="comments"))


def _withdraw_page(instance_id: int, status: int = 200, reason: str = "",
                   errors: dict[str, str] | None = None) -> tuple[str, int]:
    project = project_page(ctx(), actor(), instance_id)
    html = render_template("projects/withdraw.html", project=project, reason=reason, errors=errors or {})
    return html, status


@bp.get("/<int:instance_id>/withdraw")
def confirm_withdrawal(instance_id: int) -> tuple[str, int]:
    """Ask the declaring department to confirm the withdrawal and give its reason."""
    check_withdrawable(ctx(), actor(), instance_id)
    return _withdraw_page(instance_id)


@bp.post("/<int:instance_id>/withdraw")
def withdraw_project(instance_id: int) -> Response | tuple[str, int]:
    """Withdraw a declaration that the BDC has not reviewed yet, for the reason given."""
    reason = request.form.get("reason", "")
    try:
        withdraw(ctx(), actor(), instance_id, reason)
    except ValidationError as exc:
        errors = field_messages(exc.fields) or {"reason": translate(exc.message)}
        return _withdraw_page(instance_id, 422, reason, errors)
    flash(_("The project was withdrawn."), "success")
    return redirect(url_for("projects.show", instance_id=instance_id))
