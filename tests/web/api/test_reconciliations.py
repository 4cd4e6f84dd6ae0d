"""Reconciliations through /api/v1: the bureau starts them, a bank reads only its own, all true to the document."""
from __future__ import annotations

from typing import Any

from openapi_schema_validator import OAS30Validator

from services.context import Services
from tests.services import reconciliation_helpers as rec
from tests.web.api.helpers import Api


def conforms(api: Api, schema: str, body: Any) -> None:
    document = api.client.get("/api/v1/openapi.json").get_json()
    OAS30Validator({"components": document["components"], "$ref": f"#/components/schemas/{schema}"}).validate(body)


def test_the_bureau_starts_a_reconciliation_and_each_bank_reads_its_own(api: Api, services: Services) -> None:
    rec.fix_allocation(services)
    started = api.post("/api/v1/reconciliations", "hrss_clerk", {"bank": "bank-icbc", "period": "2026Q2"})
    assert started.status_code == 201, started.get_json()
    conforms(api, "ReconciliationStarted", started.get_json())
    assert started.get_json()["ready"][0]["name"] == "bank_report"
    assert api.post("/api/v1/reconciliations", "hrss_clerk", {"bank": "bank-icbc", "period": "2026Q2"}).status_code == 409
    refused = api.post("/api/v1/reconciliations", "hrss_clerk", {"bank": "bank-icbc", "period": "Q2"})
    assert refused.status_code == 422 and set(refused.get_json()["errors"]) == {"period"}
    assert api.post("/api/v1/reconciliations", "icbc_user", {"bank": "bank-icbc", "period": "2026Q1"}).status_code == 403
    assert api.post("/api/v1/reconciliations", "hrss_clerk", {"bank": "bank-icbc"}).status_code == 400
    rec.report(services, started.get_json()["instance_id"], {"reported_card_count": 520001, "reported_paid_total": "0"})
    record = started.get_json()["record_id"]
    one = api.get(started.headers["Location"], "icbc_user")
    assert one.status_code == 200
    conforms(api, "Reconciliation", one.get_json())
    line = one.get_json()["lines"][0]
    assert (line["reported"], line["recorded"], line["difference"], line["allocation_year"]) == (
        "520001", "520000", "1", 2026)
    assert [t["name"] for t in one.get_json()["open_tasks"]] == ["bank_explain"]
    assert api.get(f"/api/v1/reconciliations/{record}", "abc_user").status_code == 404
    assert api.get("/api/v1/reconciliations", "abc_user").get_json()["items"] == []
    listed = api.get("/api/v1/reconciliations", "supervisor")
    conforms(api, "ReconciliationList", listed.get_json())
    assert [r["bank"] for r in listed.get_json()["items"]] == ["bank-icbc"]
    assert api.get("/api/v1/reconciliations", "health_user").status_code == 403


def test_after_a_termination_the_bureau_starts_the_period_again_and_both_stay_listed(api: Api) -> None:
    body = {"bank": "bank-icbc", "period": "2026Q2"}
    first = api.post("/api/v1/reconciliations", "hrss_clerk", body).get_json()
    ended = api.post(f"/api/v1/instances/{first['instance_id']}/terminate", "admin", {"reason": "银行更正报表口径"})
    assert ended.status_code == 200, ended.get_json()
    again = api.post("/api/v1/reconciliations", "hrss_clerk", body)
    assert again.status_code == 201, again.get_json()
    assert again.get_json()["record_id"] != first["record_id"]
    assert api.post("/api/v1/reconciliations", "hrss_clerk", body).status_code == 409
    listed = api.get("/api/v1/reconciliations", "supervisor").get_json()
    conforms(api, "ReconciliationList", listed)
    assert sorted((r["id"], r["status"], r["instance_status"]) for r in listed["items"]) == [
        (first["record_id"], "terminated", "terminated"), (again.get_json()["record_id"], "reporting", "running")]
    old = api.get(f"/api/v1/reconciliations/{first['record_id']}", "icbc_user")
    assert old.status_code == 200 and old.get_json()["status"] == "terminated"
    conforms(api, "Reconciliation", old.get_json())
