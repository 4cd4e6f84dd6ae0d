"""Task lists, one task with its form, and completing it: every status a client can meet."""
from __future__ import annotations

from typing import Any

import orjson
import pytest
from sqlalchemy import select

from models.tables import app_user, audit_event
from services.context import Services
from services.demo import ORGANIZATIONS
from services.instances import show_instance
from tests import support
from tests.web.api.helpers import Api, form_data


def _ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [t["id"] for t in response.get_json()["items"]]


def _snapshot(services: Services, instance_id: int) -> dict[str, Any]:
    shown = show_instance(services, None, instance_id)
    return {k: shown[k] for k in ("status", "stage", "updated_at", "tasks", "history", "project", "documents")}


@pytest.fixture
def review(api: Api, sha: str) -> dict[str, Any]:
    """The BDC review task of a project just declared by the health department."""
    started = api.declare(sha)
    (task,) = started["ready"]
    return {**task, "instance_id": started["instance_id"]}


def test_a_task_is_listed_only_for_the_role_and_organisation_that_completes_it(api: Api, review: dict) -> None:
    assert review["id"] in _ids(api.get("/api/v1/tasks", "bdc_reviewer"))
    for other in ("health_user", "icbc_user", "hrss_clerk", "supervisor"):
        assert review["id"] not in _ids(api.get("/api/v1/tasks", other)), other


def test_the_task_list_filters_by_stage_year_and_round(api: Api, review: dict) -> None:
    year = 2026  # the tests' clock is in March 2026: outside the annual round, so supplementary
    stage = api.get(f"/api/v1/tasks/{review['id']}", "bdc_reviewer").get_json()["stage"]
    assert review["id"] in _ids(api.get("/api/v1/tasks", "bdc_reviewer", stage=stage, year=year,
                                        round="supplementary"))
    assert _ids(api.get("/api/v1/tasks", "bdc_reviewer", stage="payment")) == []
    assert _ids(api.get("/api/v1/tasks", "bdc_reviewer", year=year - 1)) == []
    assert _ids(api.get("/api/v1/tasks", "bdc_reviewer", round="annual")) == []


def test_the_task_list_is_cut_at_its_limit_and_says_so(api: Api, sha: str) -> None:
    api.declare(sha)
    api.declare(sha, project_name="社保卡图书借阅")
    cut = api.get("/api/v1/tasks", "bdc_reviewer", limit=1).get_json()
    assert len(cut["items"]) == 1 and cut["more"] is True
    whole = api.get("/api/v1/tasks", "bdc_reviewer").get_json()
    assert len(whole["items"]) == 2 and whole["more"] is False


@pytest.mark.parametrize("query", [{"year": "soon"}, {"limit": "0"}, {"page": "2"}, {"stage": "x" * 41}])
def test_a_malformed_task_query_is_400_naming_the_parameter(api: Api, query: dict[str, str]) -> None:
    response = api.get("/api/v1/tasks", "bdc_reviewer", **query)
    assert response.status_code == 400
    assert set(response.get_json()["errors"]) == set(query)


def test_a_task_shows_its_form_with_defaults_and_choices_filled(api: Api, sha: str) -> None:
    task = api.advance(api.declare(sha), sha, until="assign_bank")
    response = api.get(f"/api/v1/tasks/{task['id']}", "hrss_clerk")
    assert response.status_code == 200
    body = response.get_json()
    assert body["can_complete"] is True and body["status"] == "ready"
    assert body["project"]["title"] == support.declare()["project_name"]
    properties = body["form"]["properties"]
    assert properties["plan_amount"]["default"] == support.review()["approved_budget"]
    banks = {code for code, _name, kind, _en in ORGANIZATIONS if kind == "bank"}
    assert {choice["const"] for choice in properties["bank"]["oneOf"]} == banks


def test_a_supervisor_reads_a_task_but_may_not_complete_it(api: Api, review: dict, sha: str) -> None:
    shown = api.get(f"/api/v1/tasks/{review['id']}", "supervisor")
    assert shown.status_code == 200 and shown.get_json()["can_complete"] is False
    assert api.complete(review, support.review(sha=sha), user="supervisor").status_code == 403


def test_the_wrong_role_is_403_and_changes_nothing(api: Api, services: Services, review: dict, sha: str) -> None:
    before = _snapshot(services, review["instance_id"])
    refused = api.complete(review, support.review(sha=sha), user="health_user")
    assert refused.status_code == 403 and refused.get_json()["message"]
    assert _snapshot(services, review["instance_id"]) == before


def test_the_preparer_of_a_plan_may_not_review_it(api: Api, sha: str) -> None:
    task = api.advance(api.declare(sha), sha, until="plan_review")
    assert api.complete(task, form_data("plan_review", sha), user="hrss_clerk").status_code == 403
    assert api.complete(task, form_data("plan_review", sha), user="hrss_reviewer").status_code == 200


def _denials(services: Services, username: str) -> list[dict[str, Any]]:
    with services.db.read() as conn:
        rows = conn.execute(select(audit_event.c.data).join(app_user, app_user.c.id == audit_event.c.actor_id)
                            .where(audit_event.c.event == "access_denied", app_user.c.username == username))
        return [orjson.loads(data) for data in rows.scalars()]


def test_another_banks_task_and_project_answer_404_like_unknown_ids(api: Api, services: Services,
                                                                    sha: str) -> None:
    task = api.advance(api.declare(sha), sha, until="bank_confirm")
    assert api.get(f"/api/v1/tasks/{task['id']}", "icbc_user").status_code == 200
    hidden = api.get(f"/api/v1/tasks/{task['id']}", "abc_user")
    unknown = api.get("/api/v1/tasks/no-such-task", "abc_user")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.get_json()["message"].replace(task["id"], "?") == unknown.get_json()["message"].replace(
        "no-such-task", "?")
    assert api.complete(task, support.SECURE_FUNDS, user="abc_user").status_code == 404
    assert api.get(f"/api/v1/projects/{task['instance_id']}", "abc_user").status_code == 404
    assert task["id"] not in _ids(api.get("/api/v1/tasks", "abc_user"))
    probed = {(d["kind"], d["id"]) for d in _denials(services, "abc_user")}
    assert probed == {("task", task["id"]), ("instance", str(task["instance_id"]))}
    assert api.complete(task, support.SECURE_FUNDS, user="icbc_user").status_code == 200


def test_another_departments_task_and_project_answer_404(api: Api, sha: str) -> None:
    started = api.post("/api/v1/projects", "health_user").get_json()
    (declare,) = started["ready"]
    assert api.get(f"/api/v1/tasks/{declare['id']}", "transport_user").status_code == 404
    assert api.complete(declare, support.declare(sha), user="transport_user").status_code == 404
    assert api.get(f"/api/v1/projects/{started['instance_id']}", "transport_user").status_code == 404
    assert api.get(f"/api/v1/tasks/{declare['id']}", "health_user").status_code == 200


def test_over_posted_form_fields_are_422_naming_each_field(api: Api, services: Services, review: dict,
                                                           sha: str) -> None:
    before = _snapshot(services, review["instance_id"])
    response = api.complete(review, {**support.review(sha=sha), "approved_by": "me", "paid_total": "1.00"})
    assert response.status_code == 422
    assert {"approved_by", "paid_total"} <= set(response.get_json()["errors"])
    assert _snapshot(services, review["instance_id"]) == before


def test_invalid_values_are_422_with_field_errors_and_change_nothing(api: Api, services: Services,
                                                                     review: dict, sha: str) -> None:
    before = _snapshot(services, review["instance_id"])
    bad = support.review(sha=sha, approved_budget="12.345")
    del bad["review_opinion"]
    response = api.complete(review, bad)
    assert response.status_code == 422
    body = response.get_json()
    assert body["message"]
    assert {"approved_budget", "review_opinion"} <= set(body["errors"])
    assert {d["path"] for d in body["details"]} == set(body["errors"])
    assert all(d["code"] and d["message"] for d in body["details"])
    assert _snapshot(services, review["instance_id"]) == before
    assert review["id"] in _ids(api.get("/api/v1/tasks", "bdc_reviewer"))


@pytest.mark.parametrize("body", [
    {"data": None}, {"data": [1, 2]}, {}, {"data": {}, "extra": 1}, ["data"], "data",
])
def test_a_malformed_completion_body_is_400_and_changes_nothing(api: Api, services: Services, review: dict,
                                                                body: Any) -> None:
    before = _snapshot(services, review["instance_id"])
    response = api.post(f"/api/v1/tasks/{review['id']}/complete", "bdc_reviewer", body)
    assert response.status_code == 400
    assert response.get_json()["message"]
    assert _snapshot(services, review["instance_id"]) == before


def test_a_completion_body_that_is_not_json_is_400(api: Api, review: dict) -> None:
    path = f"/api/v1/tasks/{review['id']}/complete"
    broken = api.post(path, "bdc_reviewer", data='{"data": {', content_type="application/json")
    assert broken.status_code == 400
    assert api.post(path, "bdc_reviewer").status_code == 400


def test_completing_twice_is_409(api: Api, review: dict, sha: str) -> None:
    first = api.complete(review, support.review(sha=sha))
    assert first.status_code == 200
    assert [t["name"] for t in first.get_json()["ready"]] == ["assign_bank"]
    again = api.complete(review, support.review(sha=sha))
    assert again.status_code == 409 and again.get_json()["message"]
    shown = api.get(f"/api/v1/tasks/{review['id']}", "bdc_reviewer").get_json()
    assert shown["status"] == "completed" and shown["can_complete"] is False


def test_an_unknown_task_is_404(api: Api) -> None:
    assert api.get("/api/v1/tasks/00000000-0000-0000-0000-000000000000", "bdc_reviewer").status_code == 404
    missing = api.post("/api/v1/tasks/00000000-0000-0000-0000-000000000000/complete", "bdc_reviewer",
                       {"data": {}})
    assert missing.status_code == 404 and missing.is_json


def test_a_task_sent_back_says_who_returned_it_and_why(api: Api, review: dict) -> None:
    done = api.complete(review, support.review("revise", review_opinion="请补充测算依据。"))
    assert done.status_code == 200, done.get_json()
    (declare,) = [t for t in api.get("/api/v1/tasks", "health_user").get_json()["items"]
                  if t["instance_id"] == review["instance_id"]]
    assert declare["returned"] == {"by": "陈静（综指中心）", "step": "review", "step_title": "可行性研究报告评审",
                                   "reason": "请补充测算依据。"}
    assert [t["returned"] for t in api.get("/api/v1/tasks", "bdc_reviewer").get_json()["items"]] == []
