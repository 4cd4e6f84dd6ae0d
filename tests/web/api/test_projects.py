"""Starting projects, listing them with filters and pages, and showing one."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from services.context import Services
from tests import support
from tests.web.api.helpers import Api


def _total(api: Api, user: str, **query: Any) -> int:
    response = api.get("/api/v1/projects", user, **query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["total"]


@pytest.mark.parametrize("body", [None, {}, {"data": None}])
def test_an_empty_start_creates_a_project_waiting_for_its_declaration(api: Api, body: Any) -> None:
    response = api.post("/api/v1/projects", "health_user", body)
    assert response.status_code == 201
    started = response.get_json()
    assert started["status"] == "running" and started["task_id"] is None
    assert [(t["name"], t["lane"]) for t in started["ready"]] == [("declare", "department")]
    shown = api.client.get(response.headers["Location"], headers=api.headers("health_user"))
    assert shown.status_code == 200
    assert shown.get_json()["instance_id"] == started["instance_id"]
    assert [t["id"] for t in shown.get_json()["open_tasks"]] == [started["ready"][0]["id"]]


def test_a_start_with_the_declaration_submits_it_at_once(api: Api, sha: str) -> None:
    started = api.declare(sha)
    assert started["task_id"] is not None
    assert [t["lane"] for t in started["ready"]] == ["bdc"]
    shown = api.get(f"/api/v1/projects/{started['instance_id']}", "health_user").get_json()
    assert shown["title"] == support.declare()["project_name"]
    assert shown["stage"] == started["stage"] != "declaration"


def test_an_invalid_declaration_is_422_and_creates_no_project(api: Api, sha: str) -> None:
    before = _total(api, "health_user")
    response = api.post("/api/v1/projects", "health_user",
                        {"data": support.declare(sha, budget="-5", extra_field="x")})
    assert response.status_code == 422
    assert {"budget", "extra_field"} <= set(response.get_json()["errors"])
    assert _total(api, "health_user") == before
    assert _total(api, "supervisor") == before


@pytest.mark.parametrize("user", ["icbc_user", "supervisor", "bdc_reviewer"])
def test_only_a_department_may_start_a_project(api: Api, user: str) -> None:
    response = api.post("/api/v1/projects", user, {})
    assert response.status_code == 403
    assert _total(api, "supervisor") == 0


@pytest.mark.parametrize("body", [{"data": 5}, {"data": "x"}, {"project_name": "x"}, [], "x"])
def test_a_malformed_start_body_is_400(api: Api, body: Any) -> None:
    assert api.post("/api/v1/projects", "health_user", body).status_code == 400
    assert _total(api, "supervisor") == 0


def test_projects_are_listed_only_to_those_who_may_see_them(api: Api, sha: str) -> None:
    started = api.declare(sha)
    ids = [p["instance_id"] for p in api.get("/api/v1/projects", "health_user").get_json()["items"]]
    assert ids == [started["instance_id"]]
    assert _total(api, "transport_user") == 0
    assert _total(api, "icbc_user") == 0, "no bank is assigned before the fund use plan"
    assert _total(api, "supervisor") == _total(api, "bdc_reviewer") == 1


def test_the_project_list_filters_and_pages(api: Api, sha: str, services: Services) -> None:
    assert _total(api, "health_user") == 0, "signs in (the token is issued) on the test's day"
    march, services.clock.at = services.clock.at, datetime(2026, 1, 20, 2, 0, tzinfo=timezone.utc)
    annual = api.declare(sha)
    services.clock.at = march
    extra = api.declare(sha, declaration_round="supplementary", project_name="社保卡图书借阅",
                        urgency_reason="上级部门紧急部署。")
    api.post("/api/v1/projects", "health_user")
    year = 2026
    assert _total(api, "health_user") == 3
    assert _total(api, "health_user", year=year) == 2
    assert _total(api, "health_user", year=year + 1) == 0
    assert _total(api, "health_user", round="supplementary") == 1
    assert _total(api, "health_user", stage=annual["stage"]) == 2
    assert _total(api, "health_user", status="completed") == 0
    found = api.get("/api/v1/projects", "health_user", q="图书").get_json()["items"]
    assert [p["instance_id"] for p in found] == [extra["instance_id"]]
    first = api.get("/api/v1/projects", "health_user", per_page=2).get_json()
    second = api.get("/api/v1/projects", "health_user", per_page=2, page=2).get_json()
    assert (first["total"], first["page"], first["per_page"], len(first["items"])) == (3, 1, 2, 2)
    assert len(second["items"]) == 1
    assert {p["instance_id"] for p in first["items"] + second["items"]} == {
        annual["instance_id"], extra["instance_id"], first["items"][0]["instance_id"],
        second["items"][0]["instance_id"]}


@pytest.mark.parametrize("query", [{"page": "0"}, {"per_page": "101"}, {"year": "x"}, {"sort": "title"}])
def test_a_malformed_project_query_is_400(api: Api, query: dict[str, str]) -> None:
    response = api.get("/api/v1/projects", "supervisor", **query)
    assert response.status_code == 400
    assert set(response.get_json()["errors"]) == set(query)


def test_money_is_a_string_in_yuan_and_times_are_iso_8601(api: Api, sha: str) -> None:
    started = api.declare(sha)
    listed = api.get("/api/v1/projects", "supervisor").get_json()["items"][0]
    assert listed["budget"] == support.declare()["budget"]
    assert listed["paid_total"] == "0.00"
    shown = api.get(f"/api/v1/projects/{started['instance_id']}", "supervisor").get_json()
    assert shown["project"]["budget"] == support.declare()["budget"]
    for moment in (shown["created_at"], shown["updated_at"], listed["created_at"], shown["history"][0]["at"]):
        assert datetime.fromisoformat(moment).tzinfo is not None
    assert [d["sha256"] for d in shown["documents"]] == [sha]


def test_a_bank_sees_a_project_once_the_plan_names_it(api: Api, sha: str) -> None:
    started = api.declare(sha)
    path = f"/api/v1/projects/{started['instance_id']}"
    assert api.get(path, "icbc_user").status_code == 404
    api.advance(started, sha, until="plan_review")
    assert api.get(path, "icbc_user").status_code == 200
    assert api.get(path, "abc_user").status_code == 404
    assert _total(api, "icbc_user") == 1 and _total(api, "abc_user") == 0


def test_an_unknown_project_is_404(api: Api) -> None:
    assert api.get("/api/v1/projects/999999", "supervisor").status_code == 404
    not_a_number = api.get("/api/v1/projects/abc", "supervisor")
    assert not_a_number.status_code == 404 and not_a_number.is_json
