"""The fund use plans per bank under /api/v1: the year's plans, one plan, and the bureau's moves."""
from __future__ import annotations

from typing import Any

from flask import Response, url_for

from services.plans.moves import Target, move_project
from services.plans.overview import plan_detail, plans_overview
from web.api import plan_schemas as s
from web.api.blueprint import bp
from web.api.http import actor, json_body, query_args, reply
from web.app import services
from web.request import MAX_URL_INTEGER

QUERY, OVERVIEW, DETAIL, MOVE, MOVED = s.PlansQuery(), s.PlanOverview(), s.PlanDetail(), s.PlanMove(), s.PlanMoved()
PLAN_ID = {"in": "path", "name": "plan_id", "required": True,
           "schema": {"type": "integer", "minimum": 0, "maximum": MAX_URL_INTEGER}}


def _with_urls(plan: dict[str, Any]) -> dict[str, Any]:
    docs = [{**d, "url": url_for("api.download_document", instance_id=plan["id"], document_id=d["id"])}
            for d in plan["documents"]]
    return {**plan, "documents": docs}


@bp.get("/plans")
def plans() -> Response:
    """Answer one page of the plans of a year per bank with their figures (a bank its own) and, for the bureau,
    the proposal."""
    args = query_args(QUERY)
    year = args.get("year") or services().clock.today().year
    data = plans_overview(services(), actor(), year, page=args["page"], per_page=args["per_page"])
    data["banks"] = [{**b, "plans": [_with_urls(p) for p in b["plans"]]} for b in data["banks"]]
    return reply(OVERVIEW, data)


@bp.get("/plans/<int:plan_id>")
def plan(plan_id: int) -> Response:
    """Answer one plan: its rows with 序号 and exact 万元, its total, its bank's figures and its issued tables."""
    return reply(DETAIL, _with_urls(plan_detail(services(), actor(), plan_id)))


@bp.post("/plans/<int:plan_id>/moves")
def move_plan_project(plan_id: int) -> Response:
    """Move a project of this draft plan to another bank's draft plan (the bureau)."""
    body = json_body(MOVE)
    target = Target(plan_id=body.get("target_plan_id"), bank=body.get("target_bank"))
    moved = move_project(services(), actor(), plan_id, body["project_id"], target)
    return reply(MOVED, moved)


def paths(op: Any, json_in: tuple[int, ...]) -> dict[str, dict[str, Any]]:
    """Return the OpenAPI paths of this module, built with the document's operation helper."""
    return {
        "/api/v1/plans": {"get": op(
            "One page of the fund use plans of a year per bank (in bank and number order): allocation, planned, in "
            "draft and difference over the whole year, each plan's table (a bank sees its own; departments are "
            "refused); the proposed assignment for the bureau; `more` when later pages hold more plans", 200,
            "PlanOverview", (400, 403, 404), parameters=[{"in": "query", "schema": "PlansQuery"}])},
        "/api/v1/plans/{plan_id}": {"get": op(
            "One fund use plan: rows with 序号 and exact 万元, total, the bank's figures, issued tables", 200,
            "PlanDetail", (403, 404), parameters=[PLAN_ID])},
        "/api/v1/plans/{plan_id}/moves": {"post": op(
            "Move a project of this draft plan to another bank's draft plan (the bureau); give target_bank or "
            "target_plan_id", 200, "PlanMoved", (*json_in, 403, 404, 409, 422), body="PlanMove",
            parameters=[PLAN_ID])},
    }


SCHEMAS = (s.PlansQuery, s.PlanAmount, s.PlanItem, s.Plan, s.BankFigures, s.BankPlans, s.ProposedMove,
           s.PlanOverview, s.PlanDetail, s.PlanMove, s.PlanSide, s.PlanMoved)
