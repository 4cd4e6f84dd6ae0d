"""The dashboard and the administrators' actions under /api/v1."""
from __future__ import annotations

from typing import Any

from flask import Response

from services.oversight import actions
from services.oversight.dashboard import dashboard as dashboard_data
from services.oversight.filters import InstanceFilter
from services.oversight.listing import Sort
from services.oversight.reassign import reassign
from web.api import oversight_schemas as s
from web.api.blueprint import bp
from web.api.http import actor, json_body, query_args, reply
from web.app import services

QUERY, REASON, REASSIGN = s.DashboardQuery(), s.ReasonRequest(), s.ReassignRequest()
DASHBOARD, ACTION, REASSIGNED = s.Dashboard(), s.InstanceAction(), s.Reassigned()


@bp.get("/dashboard")
def dashboard() -> Response:
    """Answer counts, amounts, payments overdue and due soon, and one page of the project list."""
    args = query_args(QUERY)
    flt = InstanceFilter(year=args.get("year"), round=args.get("round"), stage=args.get("stage"),
                         status=args.get("status"), bank=args.get("bank"), department=args.get("department"),
                         category=args.get("category"), overdue=args["overdue"], text=args.get("q"))
    data = dashboard_data(services(), actor(), flt, Sort(args["sort"], args["dir"] == "desc"),
                          page=args["page"], per_page=args["per_page"])
    return reply(DASHBOARD, data)


def _act(run: Any, instance_id: int) -> Response:
    body = json_body(REASON)
    return reply(ACTION, run(services(), actor(), instance_id, body["reason"]))


@bp.post("/instances/<int:instance_id>/suspend")
def suspend_instance(instance_id: int) -> Response:
    """Suspend a running project (administrators)."""
    return _act(actions.suspend, instance_id)


@bp.post("/instances/<int:instance_id>/resume")
def resume_instance(instance_id: int) -> Response:
    """Resume a suspended project (administrators)."""
    return _act(actions.resume, instance_id)


@bp.post("/instances/<int:instance_id>/terminate")
def terminate_instance(instance_id: int) -> Response:
    """End a running or suspended project for good (administrators)."""
    return _act(actions.terminate, instance_id)


@bp.post("/tasks/<task_id>/reassign")
def reassign_task(task_id: str) -> Response:
    """Give a ready task to one named user who holds its role (administrators)."""
    body = json_body(REASSIGN)
    return reply(REASSIGNED, reassign(services(), actor(), task_id, body["to"], body["reason"]))


def _reason_op(summary: str, op: Any, body: str, param: dict[str, Any], ok: str) -> dict[str, Any]:
    return {"post": op(summary, 200, ok, (400, 403, 404, 409, 413, 415, 422), body=body, parameters=[param])}


def paths(op: Any, instance_id: dict[str, Any], task_id: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return the OpenAPI paths of this module, built with the document's operation helper."""
    result = {"/api/v1/dashboard": {"get": op(
        "Dashboard over all projects (bureau, BDC, supervisors, administrators)", 200, "Dashboard", (400, 403, 422),
        parameters=[{"in": "query", "schema": "DashboardQuery"}])}}
    for action, summary in (("suspend", "Suspend a running project: its tasks wait, its timers do not fire"),
                            ("resume", "Resume a suspended project; a timer that fell due meanwhile fires next"),
                            ("terminate", "End a running or suspended project for good")):
        result[f"/api/v1/instances/{{instance_id}}/{action}"] = _reason_op(
            f"{summary} (administrators)", op, "ReasonRequest", instance_id, "InstanceAction")
    result["/api/v1/tasks/{task_id}/reassign"] = _reason_op(
        "Reassign a ready task to one user holding its role (administrators)", op, "ReassignRequest", task_id,
        "Reassigned")
    return result


SCHEMAS = (s.DashboardQuery, s.Dashboard, s.ReasonRequest, s.ReassignRequest, s.InstanceAction, s.Reassigned)
