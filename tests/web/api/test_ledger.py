"""The ledger through /api/v1: as documented, scoped to what the user may see."""
from __future__ import annotations

import pytest
from openapi_schema_validator import OAS30Validator

from services.context import Services
from tests.money import ledger_world
from tests.web.api.helpers import Api


@pytest.fixture
def world(services: Services) -> None:
    ledger_world.build(services)


def test_the_api_answers_the_ledger_as_documented(api: Api, world: None) -> None:
    document = api.client.get("/api/v1/openapi.json").get_json()
    body = api.get("/api/v1/ledger", "supervisor", year="2026").get_json()
    OAS30Validator({"components": document["components"], "$ref": "#/components/schemas/Ledger"}).validate(body)
    assert body["totals"]["planned"] == "2300000.00"
    own = api.get("/api/v1/ledger", "icbc_user").get_json()
    assert {b["bank"] for y in own["years"] for b in y["banks"]} == {"bank-icbc"} and own["own_bank_only"]
    assert api.get("/api/v1/ledger", "health_user").status_code == 403
    assert api.get("/api/v1/ledger", "supervisor", year="1999").status_code == 404
    assert api.get("/api/v1/ledger", "supervisor", year="x").status_code == 400
