"""Reconciliations with the banks under /api/v1."""
from __future__ import annotations

from typing import Any

from flask import Response, url_for

from services.reconciliation.listing import list_reconciliations, show_reconciliation
from services.reconciliation.start import start_reconciliation
from web.api import reconciliation_schemas as s
from web.api.blueprint import bp
from web.api.http import actor, json_body, reply
from web.app import services
from web.request import MAX_URL_INTEGER

LIST, ONE, START, STARTED = s.ReconciliationList(), s.Reconciliation(), s.ReconciliationStart(), s.ReconciliationStarted()
RECORD_ID = {"in": "path", "name": "record_id", "required": True,
             "schema": {"type": "integer", "minimum": 0, "maximum": MAX_URL_INTEGER}}


@bp.get("/reconciliations")
def reconciliations() -> Response:
    """Answer the reconciliations the user may see, with their lines and explanations."""
    return reply(LIST, {"items": list_reconciliations(services(), actor())})


@bp.get("/reconciliations/<int:record_id>")
def reconciliation(record_id: int) -> Response:
    """Answer one reconciliation with its lines, explanations and open tasks."""
    return reply(ONE, show_reconciliation(services(), actor(), record_id))


@bp.post("/reconciliations")
def start_reconciliation_run() -> Response:
    """Start a bank's reconciliation for an ended period (the bureau)."""
    body = json_body(START)
    started = start_reconciliation(services(), actor(), body["bank"], body["period"])
    return reply(STARTED, started, 201,
                 {"Location": url_for("api.reconciliation", record_id=started["record_id"])})


def paths(op: Any, json_in: tuple[int, ...]) -> dict[str, dict[str, Any]]:
    """Return the OpenAPI paths of this module, built with the document's operation helper."""
    return {
        "/api/v1/reconciliations": {
            "get": op("The reconciliations with the banks (a bank sees its own only)", 200, "ReconciliationList",
                      (403,)),
            "post": op("Start a bank's reconciliation for an ended period (the bureau); one live reconciliation "
                       "per bank and period (a terminated one frees it)",
                       201, "ReconciliationStarted", (*json_in, 403, 409, 422), body="ReconciliationStart"),
        },
        "/api/v1/reconciliations/{record_id}": {"get": op(
            "One reconciliation: reported and recorded figures line by line, explanations, open tasks", 200,
            "Reconciliation", (403, 404), parameters=[RECORD_ID])},
    }


SCHEMAS = (s.Reconciliation, s.ReconciliationList, s.ReconciliationStart, s.ReconciliationStarted)
