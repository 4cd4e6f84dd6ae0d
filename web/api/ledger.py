"""The ledger under /api/v1."""
from __future__ import annotations

from typing import Any

from flask import Response

from services.money.ledger import ledger as read_ledger
from web.api import ledger_schemas as s
from web.api.blueprint import bp
from web.api.http import actor, query_args, reply
from web.app import services

QUERY, LEDGER = s.LedgerQuery(), s.Ledger()


@bp.get("/ledger")
def ledger() -> Response:
    """Answer the ledger of a year (or every year): every bank's rows, or a bank's own."""
    return reply(LEDGER, read_ledger(services(), actor(), query_args(QUERY).get("year")))


def paths(op: Any) -> dict[str, dict[str, Any]]:
    """Return the OpenAPI paths of this module, built with the document's operation helper."""
    return {"/api/v1/ledger": {"get": op(
        "The ledger per bank, year and category: allocated, planned, contracted, paid, remaining "
        "(bureau, BDC, supervisors, administrators; a bank its own rows)", 200, "Ledger", (400, 403, 404),
        parameters=[{"in": "query", "schema": "LedgerQuery"}])}}


SCHEMAS = (s.LedgerQuery, s.LedgerLine, s.LedgerTotals, s.LedgerBank, s.LedgerYear, s.Ledger)
