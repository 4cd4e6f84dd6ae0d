"""The user's tasks: list, show with its form, complete."""
from __future__ import annotations

from flask import Response

from services.api_queries import task_detail
from services.inbox import InboxFilter, tasks_for
from services.tasks import complete_task
from web.api.blueprint import bp
from web.api.idempotency import answering, idempotent
from web.api.http import actor, caller, json_body, query_args, reply
from web.app import services
from web.api.schemas import CompleteRequest, Completion, TaskDetail, TaskList, TaskQuery

TASK_QUERY, COMPLETE_REQUEST = TaskQuery(), CompleteRequest()
TASK_LIST, TASK_DETAIL, COMPLETION = TaskList(), TaskDetail(), Completion()


@bp.get("/tasks")
def list_tasks() -> Response:
    """Answer the tasks waiting for the user, soonest due first."""
    args = query_args(TASK_QUERY)
    limit = args.pop("limit")
    items = tasks_for(services(), actor(), limit=limit + 1, flt=InboxFilter(**args))
    return reply(TASK_LIST, {"items": items[:limit], "more": len(items) > limit})


@bp.get("/tasks/<task_id>")
def show_task(task_id: str) -> Response:
    """Answer one task with its project and its form's JSON Schema."""
    return reply(TASK_DETAIL, task_detail(services(), actor(), task_id))


@bp.post("/tasks/<task_id>/complete")
@idempotent
def complete(task_id: str) -> Response:
    """Complete a task with the form values in the body's `data`."""
    body = json_body(COMPLETE_REQUEST)
    respond = answering(lambda result: reply(COMPLETION, result))
    return respond(complete_task(services(), caller(), task_id, body["data"]))
