"""Projects: start one (optionally with its declaration), list them, show one."""
from __future__ import annotations

from flask import Response, url_for

from services.fund_project import PROCESS_ID
from services.instances import show_instance, start_instance
from services.projects import ProjectFilter, list_projects
from web.api.blueprint import bp
from web.api.idempotency import answering, idempotent
from web.api.http import actor, json_body, query_args, reply
from web.app import services
from web.api.project_schemas import ProjectDetail, ProjectPage
from web.api.schemas import ProjectQuery, Started, StartRequest

START_REQUEST, PROJECT_QUERY = StartRequest(), ProjectQuery()
STARTED, PROJECT_PAGE, PROJECT_DETAIL = Started(), ProjectPage(), ProjectDetail()


@bp.post("/projects")
@idempotent
def start_project() -> Response:
    """Start a project as a department; with `data`, submit its declaration in the same transaction."""
    body = json_body(START_REQUEST, empty_ok=True)
    respond = answering(lambda started: reply(STARTED, started, 201, {
        "Location": url_for("api.show_project", instance_id=started["instance_id"])}))
    return respond(start_instance(services(), actor(), PROCESS_ID, data=body["data"] or None))


@bp.get("/projects")
def projects() -> Response:
    """Answer one page of the projects the user may see, newest first."""
    args = query_args(PROJECT_QUERY)
    flt = ProjectFilter(year=args.get("year"), round=args.get("round"), stage=args.get("stage"),
                        status=args.get("status"), text=args.get("q"))
    return reply(PROJECT_PAGE, list_projects(services(), actor(), flt, page=args["page"],
                                             per_page=args["per_page"]))


@bp.get("/projects/<int:instance_id>")
def show_project(instance_id: int) -> Response:
    """Answer a project the user may see: status, stage, tasks, facts, payments, history."""
    return reply(PROJECT_DETAIL, show_instance(services(), actor(), instance_id))
