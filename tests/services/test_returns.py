"""A task that a decision sent back carries who returned it, from which step and why, in the task list."""
from __future__ import annotations

from typing import Any

from services.context import Services
from services.inbox import tasks_for
from services.task_pages import task_page
from tests import support
from tests.services.journey import Journey


def _listed(j: Journey, username: str, name: str) -> dict[str, Any]:
    (task,) = [t for t in tasks_for(j.ctx, j.actor(username)) if t["name"] == name
               and t["instance_id"] == j.instance_id]
    return task


def test_a_declaration_sent_back_by_the_review_is_marked_with_the_reviewer_and_the_opinion(
        services: Services) -> None:
    j = Journey(services)
    j.do("health_user", "declare", support.declare(j.sha))
    assert _listed(j, "bdc_reviewer", "review")["returned"] is None
    j.do("bdc_reviewer", "review", support.review("revise", review_opinion="请补充可研报告中的测算依据。"))
    returned = _listed(j, "health_user", "declare")["returned"]
    assert returned == {"by": "陈静（综指中心）", "step": "review", "step_title": "可行性研究报告评审",
                        "reason": "请补充可研报告中的测算依据。"}
    assert task_page(services, j.actor("health_user"), j.task_id("declare"))["task"]["returned"] == returned
    j.do("health_user", "declare", support.declare(j.sha))
    assert _listed(j, "bdc_reviewer", "review")["returned"] is None


def test_a_plan_sent_back_at_sign_off_names_the_bureau_head(services: Services) -> None:
    j = Journey(services)
    j.do("health_user", "declare", support.declare(j.sha))
    j.do("bdc_reviewer", "review", support.review(sha=j.sha))
    j.do("hrss_clerk", "assign_bank", support.assign_bank("bank-icbc"))
    (first,) = [t for t in tasks_for(j.ctx, j.actor("hrss_clerk")) if t["name"] == "plan_prepare"]
    assert first["returned"] is None and first["instance_id"] == j.plan_id()
    j.plan_do("hrss_clerk", "plan_prepare", {})
    j.plan_do("hrss_reviewer", "plan_review", support.decision("plan_review"))
    j.plan_do("hrss_head", "plan_signoff", support.decision("plan_signoff", "send_back", "第1项请核减预算。"))
    (task,) = [t for t in tasks_for(j.ctx, j.actor("hrss_clerk")) if t["name"] == "plan_prepare"]
    returned = task["returned"]
    assert (returned["by"], returned["step"], returned["reason"]) == ("张伟（局负责人）", "plan_signoff",
                                                                      "第1项请核减预算。")
    assert task_page(services, j.actor("hrss_clerk"), task["id"])["task"]["returned"] == returned


def test_construction_sent_back_by_one_acceptance_signer_names_that_signer(services: Services) -> None:
    j = Journey(services)
    j.to_plan()
    j.plan_do("icbc_user", "bank_confirm", support.SECURE_FUNDS)
    j.do("hrss_clerk", "procurement", support.PROCUREMENT)
    j.do("icbc_user", "contract", support.CONTRACT)
    j.do("health_user", "construction", support.CONSTRUCTION)
    j.do("health_user", "acceptance", support.acceptance(sha=j.sha))
    j.do("bdc_reviewer", "acceptance_bdc", {**support.sign("bdc", passed=False),
                                            "acceptance_bdc_opinion": "读卡模块未通过压力测试。"})
    j.do("hrss_reviewer", "acceptance_hrss", support.sign("hrss"))
    returned = _listed(j, "health_user", "construction")["returned"]
    assert (returned["by"], returned["step"], returned["reason"]) == ("陈静（综指中心）", "acceptance_bdc",
                                                                      "读卡模块未通过压力测试。")


def test_the_next_payment_instalment_is_not_a_return(services: Services) -> None:
    j = Journey(services)
    j.to_payment()
    j.do("hrss_clerk", "payment_notice", support.notice("400000.00", sha=j.sha))
    j.do("icbc_user", "payment_receipt", support.receipt())
    j.do("icbc_user", "payment", support.paid())
    assert _listed(j, "hrss_clerk", "payment_notice")["returned"] is None
