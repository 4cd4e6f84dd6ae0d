"""Card functions, funding years and allocations under /api/v1."""
from __future__ import annotations

from flask import Response, url_for

from services.declaration.functions import add_function, delete_function, get_function, list_functions, update_function
from services.declaration.years import year_page
from services.money.allocations import allocation_page, list_allocations, start_allocation
from web.api.blueprint import bp
from web.api.idempotency import answering, idempotent
from web.api.http import actor, json_body, query_args, reply
from web.api.money_schemas import (
    AllocationList, AllocationYear, CardFunction, CardFunctionCreate, CardFunctionList, CardFunctionPatch,
    CardFunctionQuery, FundingYear,
)
from web.api.schemas import Started, StartRequest
from web.app import services

FUNCTION, FUNCTIONS, FUNCTION_QUERY = CardFunction(), CardFunctionList(), CardFunctionQuery()
FUNCTION_CREATE, FUNCTION_PATCH = CardFunctionCreate(), CardFunctionPatch()
YEAR, ALLOCATIONS, ALLOCATION_YEAR = FundingYear(), AllocationList(), AllocationYear()
START_REQUEST, STARTED = StartRequest(), Started()


@bp.get("/card-functions")
def card_functions() -> Response:
    """Answer the card function list (`active=true`: only those a declaration may pick)."""
    args = query_args(FUNCTION_QUERY)
    return reply(FUNCTIONS, {"items": list_functions(services(), active_only=bool(args.get("active")))})


@bp.post("/card-functions")
def create_card_function() -> Response:
    """Add a card function (the bureau only)."""
    added = add_function(services(), actor(), json_body(FUNCTION_CREATE))
    return reply(FUNCTION, added, 201, {"Location": url_for("api.card_function", code=added["code"])})


@bp.get("/card-functions/<code>")
def card_function(code: str) -> Response:
    """Answer one card function."""
    return reply(FUNCTION, get_function(services(), code))


@bp.patch("/card-functions/<code>")
def patch_card_function(code: str) -> Response:
    """Change a card function's name, description, department or whether it is active (the bureau only)."""
    return reply(FUNCTION, update_function(services(), actor(), code, json_body(FUNCTION_PATCH)))


@bp.delete("/card-functions/<code>")
def delete_card_function(code: str) -> Response:
    """Delete a card function no declaration has used (the bureau only); a used one answers 409."""
    delete_function(services(), actor(), code)
    return Response(status=204)


@bp.get("/years/<int:year>")
def funding_year(year: int) -> Response:
    """Answer a funding year's annual round, its supplementary rounds and the round of today."""
    return reply(YEAR, year_page(services(), year))


@bp.get("/allocations")
def allocations() -> Response:
    """Answer the fixed allocations (a bank sees only its own share)."""
    return reply(ALLOCATIONS, {"items": list_allocations(services(), actor())})


@bp.get("/allocations/<int:year>")
def allocation(year: int) -> Response:
    """Answer a year's allocation (null until fixed) and the allocation processes toward it."""
    return reply(ALLOCATION_YEAR, allocation_page(services(), actor(), year))


@bp.post("/allocations")
@idempotent
def start_allocation_run() -> Response:
    """Start an allocation (the bureau); with `data`, submit the pool and card counts at once."""
    body = json_body(START_REQUEST, empty_ok=True)
    respond = answering(lambda started: reply(STARTED, started, 201, {
        "Location": url_for("api.show_project", instance_id=started["instance_id"])}))
    return respond(start_allocation(services(), actor(), body["data"] or None))
