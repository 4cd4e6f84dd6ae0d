"""The home page (a user's task list) and the task page with its form."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from services.inbox import InboxFilter, inbox_page
from services.task_pages import SubmissionRejected, submit_task, task_page
from web.app import services as ctx
from web.pages import display, formatting, forms, labels
from web.pages.auth import actor
from web.pages.formdata import kept_files, parse
from web.pages.messages import field_messages
from web.pages.models import home_for
from web.pages.schema import defaults

bp = Blueprint("tasks", __name__)
YEARS_BACK = 5
SHOWN_TASKS = 200


def _int_arg(name: str) -> int | None:
    text = request.args.get(name, "").strip()
    return int(text) if text.isdigit() and len(text) <= 4 else None


def _inbox_filter() -> InboxFilter:
    stage = request.args.get("stage") or None
    round_ = request.args.get("round") or None
    return InboxFilter(stage=stage if stage in labels.STAGES else None, year=_int_arg("year"),
                       round=round_ if round_ in labels.ROUNDS else None)


def _rows(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    now = ctx().clock.now()
    return [{**t, "waited": formatting.waited(t["created_at"], now),
             "overdue": formatting.overdue(t["due"], now)} for t in tasks]


@bp.get("/")
def inbox() -> str | Response:
    """Show the tasks waiting for the signed-in user, with counts and filters."""
    home = home_for(actor())
    if home:
        return redirect(home)
    flt = _inbox_filter()
    page = inbox_page(ctx(), actor(), flt, limit=SHOWN_TASKS)
    this_year = ctx().clock.today().year
    return render_template(
        "tasks/inbox.html", counts=page["counts"], tasks=_rows(page["tasks"]), flt=flt,
        stages=labels.WORKING_STAGES, years=range(this_year + 1, this_year - YEARS_BACK, -1),
        rounds=labels.ROUNDS, may_declare="department" in actor().roles, limit=SHOWN_TASKS)


def _render(page: dict[str, Any], values: dict[str, Any], errors: dict[str, str],
            file_names: dict[str, str], status: int = 200) -> tuple[str, int]:
    project = page["project"]
    names = {d["sha256"]: d["filename"] for d in project.get("documents", [])} | file_names
    fields, form_errors = forms.build(page["form"], values, errors, names, ctx().clock.today().isoformat())
    around = display.context(project)
    html = render_template(
        "tasks/task.html", task=page["task"], form=page["form"], fields=fields, form_errors=form_errors,
        has_files=any(f.widget == "file" for f in fields), has_errors=bool(errors),
        recent_steps=display.recent(around["steps"]), plan=page.get("plan"), **around)
    return html, status


@bp.get("/tasks/<task_id>")
def show(task_id: str) -> tuple[str, int]:
    """Show a task's form with its project's context."""
    page = task_page(ctx(), actor(), task_id)
    return _render(page, defaults(page["form"]), {}, {})


@bp.post("/tasks/<task_id>")
def submit(task_id: str) -> Response | tuple[str, int]:
    """Complete a task with the posted form; show the form again with messages if it has errors."""
    page = task_page(ctx(), actor(), task_id)
    posted = parse(page["form"], request.form, request.files)
    try:
        done = submit_task(ctx(), actor(), task_id, posted.data, posted.uploads)
    except SubmissionRejected as exc:
        values = {**posted.raw, **kept_files(page["form"], exc.data)}
        return _render(page, values, field_messages(exc.fields), exc.file_names, 422)
    title = labels.task_title(page["task"]["name"], page["task"]["title"])
    flash(_("Submitted: %(task)s — %(project)s", task=title, project=done["title"]), "success")
    return redirect(url_for("tasks.inbox"))
