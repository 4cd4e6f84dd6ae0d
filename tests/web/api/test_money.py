"""Card functions, funding years and allocations through /api/v1, with their permissions."""
from __future__ import annotations

from typing import Any

from openapi_schema_validator import OAS30Validator

from tests.services import allocation_helpers as alloc
from tests.web.api.helpers import Api

NEW = {"code": "culture-museum", "name": "博物馆预约", "description": "持卡预约参观。", "department": "dept-culture"}


def conforms(api: Api, schema: str, body: Any) -> None:
    document = api.client.get("/api/v1/openapi.json").get_json()
    OAS30Validator({"components": document["components"], "$ref": f"#/components/schemas/{schema}"}).validate(body)


def test_everyone_reads_the_card_functions_and_only_the_bureau_changes_them(api: Api) -> None:
    listed = api.get("/api/v1/card-functions", "health_user")
    assert listed.status_code == 200 and len(listed.get_json()["items"]) == 6
    conforms(api, "CardFunctionList", listed.get_json())
    assert api.post("/api/v1/card-functions", "supervisor", NEW).status_code == 403
    created = api.post("/api/v1/card-functions", "hrss_clerk", NEW)
    assert created.status_code == 201 and created.headers["Location"].endswith("/card-functions/culture-museum")
    conforms(api, "CardFunction", created.get_json())
    patched = api.client.patch("/api/v1/card-functions/culture-museum", json={"active": False},
                               headers=api.headers("hrss_clerk"))
    assert patched.status_code == 200 and patched.get_json()["active"] is False
    active = api.get("/api/v1/card-functions", "health_user", active="true").get_json()["items"]
    assert "culture-museum" not in {f["code"] for f in active}
    deleted = api.client.delete("/api/v1/card-functions/culture-museum", headers=api.headers("hrss_clerk"))
    assert deleted.status_code == 204
    assert api.get("/api/v1/card-functions/culture-museum", "hrss_clerk").status_code == 404


def test_a_bad_card_function_is_422_with_field_messages(api: Api) -> None:
    response = api.post("/api/v1/card-functions", "hrss_clerk", {**NEW, "name": "公交乘车", "department": "bank-abc"})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"name", "department"}
    assert api.post("/api/v1/card-functions", "hrss_clerk", {"code": "x-y"}).status_code == 400


def test_a_used_card_function_cannot_be_deleted(api: Api, sha: str) -> None:
    api.declare(sha, card_function="culture-library")
    response = api.client.delete("/api/v1/card-functions/culture-library", headers=api.headers("hrss_clerk"))
    assert response.status_code == 409


def test_a_funding_year_tells_its_rounds(api: Api) -> None:
    body = api.get("/api/v1/years/2026", "health_user").get_json()
    assert body["annual"] == {"opens_on": "2026-01-01", "closes_on": "2026-01-31", "configured": False}
    assert body["today"]["kind"] == "supplementary"
    conforms(api, "FundingYear", body)
    assert api.get("/api/v1/years/1999", "health_user").status_code == 404


def _task(api: Api, user: str, name: str) -> dict[str, Any]:
    (task,) = [t for t in api.get("/api/v1/tasks", user).get_json()["items"] if t["name"] == name]
    return task


def test_an_allocation_runs_through_the_api_and_each_bank_sees_its_own_share(api: Api) -> None:
    started = api.post("/api/v1/allocations", "hrss_clerk", {"data": alloc.SETUP})
    assert started.status_code == 201, started.get_json()
    icbc_task = _task(api, "icbc_user", "bank_confirm")
    assert api.complete(icbc_task, alloc.CONFIRM, user="abc_user").status_code == 404
    assert api.get(f"/api/v1/tasks/{icbc_task['id']}", "abc_user").status_code == 404
    for bank, user in alloc.BANK_USERS.items():
        assert api.complete(_task(api, user, "bank_confirm"), alloc.CONFIRM, user=user).status_code == 200, bank
    assert api.complete(_task(api, "hrss_head", "allocation_approve"), {"allocation_decision": "approve"},
                        user="hrss_head").status_code == 200
    full = api.get("/api/v1/allocations/2027", "supervisor").get_json()
    conforms(api, "AllocationYear", full)
    assert full["fixed"]["pool"] == "1000000.00" and len(full["fixed"]["shares"]) == 3
    own = api.get("/api/v1/allocations/2027", "abc_user").get_json()
    assert [(s["bank"], s["share"]) for s in own["fixed"]["shares"]] == [("bank-abc", "310000.00")]
    assert "pool" not in own["fixed"]
    listed = api.get("/api/v1/allocations", "trcb_user").get_json()
    conforms(api, "AllocationList", listed)
    assert [s["bank"] for s in listed["items"][0]["shares"]] == ["bank-trcb"]
    assert api.get("/api/v1/allocations/2027", "health_user").status_code == 403
    assert api.post("/api/v1/allocations", "icbc_user", {"data": alloc.SETUP}).status_code == 403
    again = api.post("/api/v1/allocations", "hrss_clerk", {"data": alloc.SETUP})
    assert again.status_code == 422 and set(again.get_json()["errors"]) == {"allocation_year"}
