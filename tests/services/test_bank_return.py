"""Version 1 of the fund project: the bank confirms the funds or returns the project's plan with its reason.

Projects started on version 1 keep its route; the per-bank plans of the current version are tested in
tests/plans."""
from __future__ import annotations

from typing import Any

import pytest

from services.context import Services
from services.errors import PermissionDenied, ValidationError
from services.inbox import tasks_for
from services.task_pages import task_page
from tests import support
from tests.services.journey import Journey, use_version_1
from tests.services.test_fund_project import instance_state

REASON = "计划金额超出本行本年度可用额度，请调整后重新报送。"


@pytest.fixture(autouse=True)
def version_1(services: Services) -> None:
    """Projects here follow version 1 of the diagram, which instances started on it keep."""
    use_version_1(services)


def _recorded(j: Journey, task: str) -> list[dict[str, Any]]:
    return [e["data"]["data"] for e in j.show()["history"]
            if e["event"] == "task_completed" and e["data"].get("task") == task]


def _listed(j: Journey, username: str, name: str) -> dict[str, Any]:
    (task,) = [t for t in tasks_for(j.ctx, j.actor(username)) if t["name"] == name
               and t["instance_id"] == j.instance_id]
    return task


def test_the_bank_returns_the_plan_and_the_bureau_sees_its_reason(services: Services) -> None:
    j = Journey(services).to_plan("bank-icbc")
    j.do("icbc_user", "secure_funds", {**support.funds_returned(REASON), "funds_secured_on": "2026-09-01",
                                       "funds_remarks": "不属于退回。"})
    assert j.open_names() == ["plan_prepare"] and j.show()["stage"] == "plan"
    assert _recorded(j, "secure_funds") == [{"funds_decision": "return", "funds_return_reason": REASON}]
    assert tasks_for(services, j.actor("icbc_user")) == []
    returned = _listed(j, "hrss_clerk", "plan_prepare")["returned"]
    assert returned == {"by": "周婷（工商银行）", "step": "secure_funds", "step_title": "确认资金保障",
                        "reason": REASON}
    assert task_page(services, j.actor("hrss_clerk"), j.task_id("plan_prepare"))["task"]["returned"] == returned


def test_after_a_return_the_revised_plan_goes_to_the_bank_it_names(services: Services) -> None:
    j = Journey(services).to_plan("bank-icbc")
    j.do("icbc_user", "secure_funds", support.funds_returned(REASON))
    j.do("hrss_clerk", "plan_prepare", support.plan_prepare("bank-abc"))
    j.do("hrss_reviewer", "plan_review", support.decision("plan_review"))
    j.do("hrss_head", "plan_signoff", support.decision("plan_signoff"))
    assert [t["name"] for t in tasks_for(services, j.actor("abc_user"))] == ["secure_funds"]
    assert _listed(j, "abc_user", "secure_funds")["returned"] is None
    j.do("abc_user", "secure_funds", {**support.SECURE_FUNDS, "funds_return_reason": "不属于确认。"})
    assert j.open_names() == ["procurement"] and j.show()["stage"] == "procurement"
    assert _recorded(j, "secure_funds")[-1] == support.SECURE_FUNDS
    assert _listed(j, "hrss_clerk", "procurement")["returned"] is None


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_returning_without_a_reason_is_a_field_error_and_changes_nothing(services: Services,
                                                                         reason: str | None) -> None:
    j = Journey(services).to_plan("bank-icbc")
    before = instance_state(services, j.instance_id)
    data: dict[str, Any] = {"funds_decision": "return"}
    if reason is not None:
        data["funds_return_reason"] = reason
    with pytest.raises(ValidationError) as caught:
        j.do("icbc_user", "secure_funds", data)
    assert [e.path for e in caught.value.fields] == ["funds_return_reason"]
    assert instance_state(services, j.instance_id) == before
    assert j.open_names() == ["secure_funds"]


def test_confirming_still_needs_the_date_and_a_choice_is_required(services: Services) -> None:
    j = Journey(services).to_plan("bank-icbc")
    before = instance_state(services, j.instance_id)
    for data, field in [({"funds_decision": "confirm"}, "funds_secured_on"),
                        ({"funds_secured_on": "2026-09-01"}, "funds_decision"),
                        ({"funds_decision": "yes", "funds_secured_on": "2026-09-01"}, "funds_decision")]:
        with pytest.raises(ValidationError) as caught:
            j.do("icbc_user", "secure_funds", data)
        assert [e.path for e in caught.value.fields] == [field], data
    assert instance_state(services, j.instance_id) == before


def test_the_supervisor_cannot_return_the_plan(services: Services) -> None:
    j = Journey(services).to_plan("bank-icbc")
    before = instance_state(services, j.instance_id)
    with pytest.raises(PermissionDenied):
        j.do("supervisor", "secure_funds", support.funds_returned(REASON))
    assert instance_state(services, j.instance_id) == before
