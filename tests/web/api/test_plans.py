"""The fund use plans through /api/v1: as documented, scoped, and the bureau's moves with their refusals."""
from __future__ import annotations

from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator

from services.context import Services
from services.instances import show_instance
from tests import support
from tests.services import plan_world as world
from tests.services.journey import Journey
from tests.web.api.helpers import Api


@pytest.fixture
def plans(services: Services) -> dict[str, int]:
    world.fix_allocation(services)
    return world.three_projects_in_two_plans(services)


def _valid(api: Api, schema: str, body: Any) -> None:
    document = api.client.get("/api/v1/openapi.json").get_json()
    OAS30Validator({"components": document["components"], "$ref": f"#/components/schemas/{schema}"}).validate(body)


def test_the_api_answers_the_plans_as_documented_and_scoped(api: Api, plans: dict[str, int]) -> None:
    body = api.get("/api/v1/plans", "hrss_head", year="2026").get_json()
    _valid(api, "PlanOverview", body)
    icbc = next(b for b in body["banks"] if b["bank"] == "bank-icbc")
    assert icbc["in_draft"] == {"yuan": "821234.56", "wan": "82.123456"}
    assert icbc["difference"] == {"yuan": "-301234.56", "wan": "-30.123456"}
    assert [(i["no"], i["amount"]["wan"]) for i in icbc["plans"][0]["items"]] == [(1, "82"), (2, "0.123456")]
    assert body["proposal"] == [] or body["proposal"][0]["project_id"] == plans["b"]
    own = api.get("/api/v1/plans", "abc_user", year="2026").get_json()
    assert [b["bank"] for b in own["banks"]] == ["bank-abc"] and own["proposal"] == []
    one = api.get(f"/api/v1/plans/{plans['icbc']}", "supervisor")
    _valid(api, "PlanDetail", one.get_json())
    assert one.get_json()["total"] == {"yuan": "821234.56", "wan": "82.123456"}
    assert api.get(f"/api/v1/plans/{plans['icbc']}", "abc_user").status_code == 404
    assert api.get("/api/v1/plans", "health_user").status_code == 403
    assert api.get("/api/v1/plans", "supervisor", year="1999").status_code == 404
    assert api.get("/api/v1/plans", "supervisor", year="x").status_code == 400


def test_the_bureau_moves_a_project_through_the_api(api: Api, plans: dict[str, int]) -> None:
    moved = api.post(f"/api/v1/plans/{plans['icbc']}/moves", "hrss_clerk",
                     {"project_id": plans["b"], "target_bank": "bank-abc"})
    assert moved.status_code == 200, moved.get_json()
    _valid(api, "PlanMoved", moved.get_json())
    assert moved.get_json()["target"]["plan_id"] == plans["abc"]
    abc = api.get(f"/api/v1/plans/{plans['abc']}", "abc_user").get_json()
    assert abc["total"] == {"yuan": "301234.56", "wan": "30.123456"}


@pytest.mark.parametrize(("user", "body", "status", "field"), [
    ("hrss_head", {"target_bank": "bank-abc"}, 403, None),
    ("icbc_user", {"target_bank": "bank-abc"}, 403, None),
    ("hrss_clerk", {}, 422, "target"),
    ("hrss_clerk", {"target_bank": "bank-icbc"}, 422, "target"),
    ("hrss_clerk", {"target_bank": "bank-nowhere"}, 422, "target_bank"),
    ("hrss_clerk", {"target_plan_id": 999999}, 422, "target_plan_id"),
    ("hrss_clerk", {"target_bank": "bank-abc", "project_id": "x"}, 400, "project_id"),
])
def test_refused_moves_say_what_was_wrong(api: Api, plans: dict[str, int], user: str, body: dict[str, Any],
                                          status: int, field: str | None) -> None:
    answer = api.post(f"/api/v1/plans/{plans['icbc']}/moves", user, {"project_id": plans["b"], **body})
    assert answer.status_code == status, answer.get_json()
    if field:
        assert field in answer.get_json()["errors"]
    assert api.get(f"/api/v1/plans/{plans['icbc']}", "hrss_clerk").get_json()["total"]["yuan"] == "821234.56"


def test_a_move_from_a_signed_plan_is_a_conflict(api: Api, services: Services, plans: dict[str, int]) -> None:
    world.advance(services, plans["icbc"], "bank", plan_override_reason="急需上线，经局务会同意。")
    answer = api.post(f"/api/v1/plans/{plans['icbc']}/moves", "hrss_clerk",
                      {"project_id": plans["b"], "target_plan_id": plans["abc"]})
    assert answer.status_code == 409 and "no longer a draft" in answer.get_json()["message"]


def test_a_plan_task_carries_its_plan_table_and_a_bank_sees_only_its_own(api: Api, services: Services,
                                                                         plans: dict[str, int]) -> None:
    world.advance(services, plans["abc"], "bank", bank="bank-abc")
    (confirm,) = api.get("/api/v1/tasks", "abc_user").get_json()["items"]
    answer = api.get(f"/api/v1/tasks/{confirm['id']}", "abc_user")
    assert answer.status_code == 200
    _valid(api, "TaskDetail", answer.get_json())
    assert answer.get_json()["plan"] == {
        "id": plans["abc"], "bank": "bank-abc", "bank_name": "中国农业银行太仓分行", "year": 2026, "number": 1,
        "status": "bank", "total": "300000.00",
        "rows": [{"no": 1, "project_id": plans["c"], "name": "社保卡文旅惠民一卡通", "amount": "300000.00",
                  "remark": ""}]}
    assert api.get(f"/api/v1/tasks/{confirm['id']}", "icbc_user").status_code == 404, "another bank's plan"
    (prepare,) = [t["id"] for t in show_instance(services, None, plans["icbc"])["open_tasks"]]
    assert api.get(f"/api/v1/tasks/{prepare}", "abc_user").status_code == 404
    icbc = api.get(f"/api/v1/tasks/{prepare}", "hrss_clerk").get_json()
    assert [(r["no"], r["project_id"], r["amount"]) for r in icbc["plan"]["rows"]] == [
        (1, plans["a"], "820000.00"), (2, plans["b"], "1234.56")]
    assert icbc["plan"]["total"] == "821234.56" and icbc["plan"]["bank"] == "bank-icbc"


def test_a_task_outside_any_plan_has_no_plan(api: Api, services: Services, plans: dict[str, int]) -> None:
    journey = Journey(services)
    journey.do("health_user", "declare", support.declare(journey.sha))
    answer = api.get(f"/api/v1/tasks/{journey.task_id('review')}", "bdc_reviewer")
    assert answer.status_code == 200
    _valid(api, "TaskDetail", answer.get_json())
    assert answer.get_json()["plan"] is None


def test_a_sign_off_above_a_negative_remaining_allocation_names_both_amounts_formatted(
        api: Api, services: Services) -> None:
    world.fix_allocation(services)
    plan_id = world.second_plan_at_signoff(services)
    (signoff,) = show_instance(services, None, plan_id)["open_tasks"]
    answer = api.post(f"/api/v1/tasks/{signoff['id']}/complete", "hrss_head",
                      {"data": support.decision("plan_signoff")})
    assert answer.status_code == 422
    expected = ("The plan's total of ¥1,234.50 exceeds the bank's remaining allocation of -¥301,234.56 for 2026: "
                "give the reason for approving it anyway.")
    assert answer.get_json()["errors"] == {"plan_override_reason": expected}
    assert [d["message"] for d in answer.get_json()["details"]] == [expected]
    assert api.get(f"/api/v1/plans/{plan_id}", "hrss_head").get_json()["status"] == "signoff"


def _page(api: Api, user: str, **query: Any) -> dict[str, Any]:
    answer = api.get("/api/v1/plans", user, **{"year": "2026", "per_page": 2, **query})
    assert answer.status_code == 200, answer.get_json()
    _valid(api, "PlanOverview", answer.get_json())
    return answer.get_json()


def test_the_plans_come_in_pages_and_the_figures_and_proposal_count_every_plan(
        api: Api, services: Services, plans: dict[str, int]) -> None:
    trcb = world.empty_plans(services, 3)
    pages = [_page(api, "hrss_clerk", page=n) for n in (1, 2, 3, 4)]
    shown = [[p["id"] for b in page["banks"] for p in b["plans"]] for page in pages]
    assert shown == [[plans["abc"], plans["icbc"]], trcb[:2], trcb[2:], []], "bank code, then number"
    assert [(p["page"], p["per_page"], p["total"], p["more"]) for p in pages] == [
        (1, 2, 5, True), (2, 2, 5, True), (3, 2, 5, False), (4, 2, 5, False)]
    icbc = next(b for b in pages[0]["banks"] if b["bank"] == "bank-icbc")
    assert icbc["in_draft"] == {"yuan": "821234.56", "wan": "82.123456"}
    assert [b["bank"] for b in pages[1]["banks"]] == ["bank-trcb"]
    assert all(p["proposal"] == pages[0]["proposal"] for p in pages) and pages[0]["proposal"]
    everything = _page(api, "hrss_clerk", per_page=100)
    assert (everything["total"], everything["more"], everything["proposal"]) == (5, False, pages[0]["proposal"])
    own = _page(api, "abc_user")
    assert (own["total"], [b["bank"] for b in own["banks"]]) == (1, ["bank-abc"])


@pytest.mark.parametrize("query", [{"page": "0"}, {"page": "x"}, {"page": "10000000"}, {"per_page": "0"},
                                   {"per_page": "101"}])
def test_a_malformed_page_of_plans_is_400_on_its_parameter(api: Api, plans: dict[str, int],
                                                           query: dict[str, str]) -> None:
    answer = api.get("/api/v1/plans", "hrss_clerk", year="2026", **query)
    assert answer.status_code == 400, answer.get_json()
    assert set(answer.get_json()["errors"]) == set(query)
