"""GET /api/v1/dashboard and the administrators' actions over the API, as the OpenAPI document says."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator

from services.context import Services
from tests import support
from tests.services import samples
from tests.web.api.helpers import Api


@pytest.fixture
def ids(services: Services) -> dict[str, int]:
    """The five sample projects; the clock on 30 November, after project #4's payment fell due."""
    seeded = samples.seed(services)
    samples.at(services, datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc))
    return seeded


def _conforms(api: Api, schema: str, body: Any) -> None:
    document = api.client.get("/api/v1/openapi.json").get_json()
    OAS30Validator({"components": document["components"], "$ref": f"#/components/schemas/{schema}"}).validate(body)


def test_the_dashboard_answers_counts_amounts_payments_and_a_page(api: Api, ids: dict[str, int]) -> None:
    response = api.get("/api/v1/dashboard", "supervisor", per_page=2, sort="paid_total")
    assert response.status_code == 200
    body = response.get_json()
    _conforms(api, "Dashboard", body)
    assert (body["total"], body["amount_totals"]["paid_total"], body["overdue"]["total"]) == (5, "600000.00", 1)
    assert body["overdue"]["items"][0]["due"] == samples.PAYMENT_DUE
    listed = body["instances"]
    assert (listed["total"], len(listed["items"]), listed["items"][0]["instance_id"]) == (5, 2, ids["second_payment"])


def test_the_dashboard_filters_like_the_page(api: Api, ids: dict[str, int]) -> None:
    body = api.get("/api/v1/dashboard", "bdc_reviewer", overdue="true", bank="bank-icbc").get_json()
    assert [i["instance_id"] for i in body["instances"]["items"]] == [ids["payment"]]
    assert body["instances"]["items"][0]["overdue"] is True
    searched = api.get("/api/v1/dashboard", "hrss_clerk", q="HT-2026", sort="id", dir="asc").get_json()
    assert [i["instance_id"] for i in searched["instances"]["items"]] == [ids["payment"], ids["second_payment"]]


@pytest.mark.parametrize(("query", "status", "field"), [
    ({"status": "lost"}, 400, "status"), ({"sort": "state"}, 400, "sort"), ({"per_page": 500}, 400, "per_page"),
    ({"bank": "bank-nowhere"}, 422, "bank"),
])
def test_a_bad_dashboard_query_names_its_field(api: Api, ids: dict[str, int], query: dict[str, Any], status: int,
                                               field: str) -> None:
    response = api.get("/api/v1/dashboard", "supervisor", **query)
    assert response.status_code == status
    assert field in response.get_json()["errors"]


@pytest.mark.parametrize("username", ["icbc_user", "health_user"])
def test_banks_and_departments_are_refused_the_dashboard(api: Api, ids: dict[str, int], username: str) -> None:
    assert api.get("/api/v1/dashboard", username).status_code == 403


def test_an_administrator_suspends_resumes_and_terminates(api: Api, ids: dict[str, int]) -> None:
    base = f"/api/v1/instances/{ids['plan']}"
    suspended = api.post(f"{base}/suspend", "admin", {"reason": "核查资金"})
    assert suspended.status_code == 200 and suspended.get_json() == {
        "instance_id": ids["plan"], "status": "suspended", "stage": "plan"}
    _conforms(api, "InstanceAction", suspended.get_json())
    assert api.get(f"/api/v1/projects/{ids['plan']}", "supervisor").get_json()["open_tasks"] == [], \
        "the project waits for its bank's plan"
    contract = f"/api/v1/instances/{ids['contract']}"
    assert api.post(f"{contract}/suspend", "admin", {"reason": "核查合同"}).status_code == 200
    task = api.get(f"/api/v1/projects/{ids['contract']}", "supervisor").get_json()["open_tasks"][0]
    assert task["status"] == "suspended"
    refused = api.post(f"/api/v1/tasks/{task['id']}/complete", "trcb_user", {"data": support.CONTRACT})
    assert refused.status_code == 409 and refused.get_json()["message"] == "the project is suspended"
    assert api.post(f"{base}/suspend", "admin", {"reason": "再次"}).status_code == 409
    assert api.post(f"{base}/resume", "admin", {"reason": "核查完毕"}).get_json()["status"] == "running"
    assert api.post(f"{base}/terminate", "admin", {"reason": "不再实施"}).get_json()["status"] == "terminated"
    history = [e["event"] for e in api.get(f"/api/v1/projects/{ids['plan']}", "supervisor").get_json()["history"]]
    assert history[-4:] == ["instance_suspended", "instance_resumed", "instance_terminated", "plan_left"], \
        "terminated before its plan was signed, the project leaves the plan"


def test_an_administrator_reassigns_a_task(api: Api, ids: dict[str, int]) -> None:
    task = api.get(f"/api/v1/projects/{ids['second_payment']}", "admin").get_json()["open_tasks"][0]
    done = api.post(f"/api/v1/tasks/{task['id']}/reassign", "admin", {"to": "hrss_reviewer", "reason": "休假"})
    assert done.status_code == 200
    _conforms(api, "Reassigned", done.get_json())
    assert done.get_json()["assignee"] == "hrss_reviewer"
    assert api.get(f"/api/v1/tasks/{task['id']}", "hrss_clerk").get_json()["can_complete"] is False
    assert task["id"] in [t["id"] for t in api.get("/api/v1/tasks", "hrss_reviewer").get_json()["items"]]
    assert task["id"] not in [t["id"] for t in api.get("/api/v1/tasks", "hrss_clerk").get_json()["items"]]
    shown = api.get(f"/api/v1/projects/{ids['second_payment']}", "supervisor").get_json()
    assert shown["open_tasks"][0]["assignee"] == "hrss_reviewer"


@pytest.mark.parametrize(("path", "user", "body", "status"), [
    ("/api/v1/instances/{payment}/suspend", "admin", {"reason": ""}, 422),
    ("/api/v1/instances/{payment}/suspend", "admin", {}, 400),
    ("/api/v1/instances/{payment}/suspend", "admin", {"reason": "x", "extra": 1}, 400),
    ("/api/v1/instances/{payment}/suspend", "supervisor", {"reason": "x"}, 403),
    ("/api/v1/instances/{payment}/terminate", "hrss_head", {"reason": "x"}, 403),
    ("/api/v1/instances/{payment}/suspend", "abc_user", {"reason": "x"}, 404),
    ("/api/v1/instances/999/resume", "admin", {"reason": "x"}, 404),
    ("/api/v1/instances/{payment}/resume", "admin", {"reason": "x"}, 409),
    ("/api/v1/tasks/{task}/reassign", "admin", {"to": "abc_user", "reason": "x"}, 422),
    ("/api/v1/tasks/{task}/reassign", "admin", {"reason": "x"}, 400),
    ("/api/v1/tasks/{task}/reassign", "icbc_user", {"to": "icbc_user", "reason": "x"}, 403),
    ("/api/v1/tasks/no-such-task/reassign", "admin", {"to": "icbc_user", "reason": "x"}, 404),
])
def test_refusals_have_their_status(api: Api, services: Services, ids: dict[str, int], path: str, user: str,
                                    body: dict[str, Any], status: int) -> None:
    task = samples.Existing(services, ids["payment"]).task_id("payment")
    response = api.post(path.format(payment=ids["payment"], task=task), user, body)
    assert response.status_code == status, response.get_json()
    _conforms(api, "Error", response.get_json())
    assert api.get(f"/api/v1/projects/{ids['payment']}", "admin").get_json()["status"] == "running"
