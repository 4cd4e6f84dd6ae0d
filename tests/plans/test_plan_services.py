"""Fund use plans per bank through the services, on both databases: joining, sign-off, confirmation."""
from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import select

from models.tables import audit_event, fund_plan, fund_plan_item, human_task, process_instance
from services.context import Services
from services.errors import NotFound, PermissionDenied, ValidationError
from services.instances import show_instance, start_instance
from services.oversight.actions import terminate
from services.plans import figures
from services.users import create_user, load_actor, org_id_by_code
from tests import support
from tests.services.allocation_helpers import run_to_fixed
from tests.services.journey import Journey


def plan(ctx: Services, plan_id: int) -> dict:
    with ctx.db.read() as conn:
        return dict(conn.execute(select(fund_plan).where(fund_plan.c.instance_id == plan_id)).one()._mapping)


def listed(ctx: Services, plan_id: int) -> list[int]:
    with ctx.db.read() as conn:
        return conn.execute(select(fund_plan_item.c.project_instance_id).where(
            fund_plan_item.c.plan_instance_id == plan_id).order_by(fund_plan_item.c.added_at)).scalars().all()


def confirm_plan(journey: Journey, bank_user: str = "icbc_user") -> dict:
    journey.plan_do("hrss_clerk", "plan_prepare", {})
    journey.plan_do("hrss_reviewer", "plan_review", support.decision("plan_review"))
    journey.plan_do("hrss_head", "plan_signoff", support.decision("plan_signoff"))
    return journey.plan_do(bank_user, "bank_confirm", support.SECURE_FUNDS)


def test_projects_of_one_bank_and_year_join_one_draft_plan_and_another_bank_gets_its_own(services: Services) -> None:
    first = Journey(services).assigned("bank-icbc")
    second = Journey(services).assigned("bank-icbc", plan_amount="800000.00", plan_remarks="二期")
    other = Journey(services).assigned("bank-abc")
    assert first.plan_id() == second.plan_id() != other.plan_id()
    icbc = plan(services, first.plan_id())
    assert (icbc["year"], icbc["round_id"], icbc["number"], icbc["status"]) == (2026, None, 1, "draft")
    assert plan(services, other.plan_id())["number"] == 1
    assert listed(services, first.plan_id()) == [first.instance_id, second.instance_id]
    with services.db.read() as conn:
        assert figures.plan_total(conn, first.plan_id()) == Decimal("1950000.00")
        bank = conn.execute(select(process_instance.c.bank_org_id).where(
            process_instance.c.id == first.plan_id())).scalar()
        assert bank == org_id_by_code(conn, "bank-icbc"), "the plan's bank step is scoped to its bank"
    assert first.open_names() == [] and first.show()["stage"] == "plan", "the project waits for its plan"
    plan_tasks = [t["name"] for t in show_instance(services, None, first.plan_id())["open_tasks"]]
    assert plan_tasks == ["plan_prepare"]


def test_a_plan_past_its_draft_takes_no_new_project_the_next_one_opens_number_two(services: Services) -> None:
    first = Journey(services).assigned()
    first.plan_do("hrss_clerk", "plan_prepare", {})
    assert plan(services, first.plan_id())["status"] == "review"
    later = Journey(services).assigned()
    assert later.plan_id() != first.plan_id()
    assert plan(services, later.plan_id())["number"] == 2


def test_projects_wait_until_the_bank_confirms_then_all_reach_procurement_with_the_plans_values(
        services: Services) -> None:
    first = Journey(services).assigned("bank-icbc")
    second = Journey(services).assigned("bank-icbc", plan_amount="900000.00")
    plan_id = first.plan_id()
    first.plan_do("hrss_clerk", "plan_prepare", {})
    first.plan_do("hrss_reviewer", "plan_review", support.decision("plan_review"))
    first.plan_do("hrss_head", "plan_signoff", support.decision("plan_signoff"))
    assert plan(services, plan_id)["status"] == "bank"
    assert first.open_names() == [] and second.open_names() == [], "signed is not enough: the bank confirms"
    first.plan_do("icbc_user", "bank_confirm", support.SECURE_FUNDS)
    done = plan(services, plan_id)
    assert done["status"] == "confirmed" and done["confirmed_at"] is not None
    assert show_instance(services, None, plan_id)["status"] == "completed"
    for journey, amount in ((first, "1150000.00"), (second, "900000.00")):
        assert journey.open_names() == ["procurement"]
        view = journey.show()
        assert view["stage"] == "procurement"
        assert view["project"]["plan_amount"] == amount
        with services.db.read() as conn:
            bank = conn.execute(select(process_instance.c.bank_org_id).where(
                process_instance.c.id == journey.instance_id)).scalar()
            assert bank == org_id_by_code(conn, "bank-icbc")
            events = conn.execute(select(audit_event.c.event).where(
                audit_event.c.instance_id == journey.instance_id)).scalars().all()
        assert "plan_outcome_delivered" in events
    first.do("hrss_clerk", "procurement", support.PROCUREMENT)
    assert first.open_names() == ["contract"]


def test_a_project_terminated_after_the_head_signed_is_skipped_and_the_skip_audited(services: Services) -> None:
    kept = Journey(services).assigned()
    gone = Journey(services).assigned()
    kept.plan_do("hrss_clerk", "plan_prepare", {})
    kept.plan_do("hrss_reviewer", "plan_review", support.decision("plan_review"))
    kept.plan_do("hrss_head", "plan_signoff", support.decision("plan_signoff"))
    terminate(services, load_actor(services, "admin"), gone.instance_id, "项目撤销。")
    assert listed(services, kept.plan_id()) == [kept.instance_id, gone.instance_id], "a signed table keeps its rows"
    kept.plan_do("icbc_user", "bank_confirm", support.SECURE_FUNDS)
    assert kept.open_names() == ["procurement"]
    assert gone.show()["status"] == "terminated" and gone.open_names() == []
    with services.db.read() as conn:
        events = conn.execute(select(audit_event.c.event).where(
            audit_event.c.instance_id == gone.instance_id)).scalars().all()
    assert "plan_outcome_skipped" in events and "plan_outcome_delivered" not in events


def test_a_project_terminated_before_the_signature_leaves_its_plan(services: Services) -> None:
    kept = Journey(services).assigned()
    gone = Journey(services).assigned(plan_amount="900000.00")
    plan_id = kept.plan_id()
    kept.plan_do("hrss_clerk", "plan_prepare", {})
    terminate(services, load_actor(services, "admin"), gone.instance_id, "项目撤销。")
    assert listed(services, plan_id) == [kept.instance_id]
    with services.db.read() as conn:
        assert figures.plan_total(conn, plan_id) == Decimal("1150000.00"), "the head signs only live projects"
        assert "plan_left" in conn.execute(select(audit_event.c.event).where(
            audit_event.c.instance_id == gone.instance_id)).scalars().all()
    kept.plan_do("hrss_reviewer", "plan_review", support.decision("plan_review"))
    kept.plan_do("hrss_head", "plan_signoff", support.decision("plan_signoff"))
    kept.plan_do("icbc_user", "bank_confirm", support.SECURE_FUNDS)
    assert kept.open_names() == ["procurement"]


def test_a_terminated_plan_hands_its_live_projects_to_the_banks_next_draft(services: Services) -> None:
    first = Journey(services).assigned()
    second = Journey(services).assigned(plan_amount="900000.00")
    ended = Journey(services).assigned(plan_amount="100000.00")
    old_plan = first.plan_id()
    first.plan_do("hrss_clerk", "plan_prepare", {})
    admin = load_actor(services, "admin")
    terminate(services, admin, ended.instance_id, "项目撤销。")
    terminate(services, admin, old_plan, "计划编制有误，重新编制。")
    assert plan(services, old_plan)["status"] == "terminated"
    new_plan = first.plan_id()
    assert new_plan != old_plan and second.plan_id() == new_plan
    assert (plan(services, new_plan)["status"], plan(services, new_plan)["number"]) == ("draft", 2)
    assert listed(services, new_plan) == [first.instance_id, second.instance_id]
    assert first.open_names() == [] and first.show()["stage"] == "plan", "still waiting, now for the new plan"
    confirm_plan(first)
    assert first.open_names() == ["procurement"] and second.open_names() == ["procurement"]
    with services.db.read() as conn:
        assert "plan_released" in conn.execute(select(audit_event.c.event).where(
            audit_event.c.instance_id == second.instance_id)).scalars().all()


def _user(ctx: Services, username: str, roles: list[str]) -> None:
    with ctx.db.write() as conn:
        create_user(ctx, conn, username, "password-123", username, org_id_by_code(conn, "hrss"), roles)


def test_preparer_reviewer_and_head_must_be_three_different_people(services: Services) -> None:
    _user(services, "both_roles", ["hrss", "hrss_head"])
    journey = Journey(services).assigned()
    journey.plan_do("both_roles", "plan_prepare", {})
    with pytest.raises(PermissionDenied):
        journey.plan_do("both_roles", "plan_review", support.decision("plan_review"))
    journey.plan_do("hrss_reviewer", "plan_review", support.decision("plan_review"))
    with pytest.raises(PermissionDenied):
        journey.plan_do("both_roles", "plan_signoff", support.decision("plan_signoff"))
    assert plan(services, journey.plan_id())["status"] == "signoff", "a refused step changes nothing"
    journey.plan_do("hrss_head", "plan_signoff", support.decision("plan_signoff"))
    signed = plan(services, journey.plan_id())
    ids = {name: load_actor(services, name).id for name in ("both_roles", "hrss_reviewer", "hrss_head")}
    assert (signed["prepared_by"], signed["reviewed_by"], signed["signed_by"]) == (
        ids["both_roles"], ids["hrss_reviewer"], ids["hrss_head"])


def test_the_reviewer_may_not_sign_the_plan_they_reviewed(services: Services) -> None:
    _user(services, "reviewer_head", ["hrss", "hrss_head"])
    journey = Journey(services).assigned()
    journey.plan_do("hrss_clerk", "plan_prepare", {})
    journey.plan_do("reviewer_head", "plan_review", support.decision("plan_review"))
    with pytest.raises(PermissionDenied, match="may not also approve"):
        journey.plan_do("reviewer_head", "plan_signoff", support.decision("plan_signoff"))
    journey.plan_do("hrss_head", "plan_signoff", support.decision("plan_signoff"))


def test_a_plan_above_the_remaining_allocation_needs_the_heads_reason(services: Services) -> None:
    run_to_fixed(services, allocation_year=2026)  # ICBC's share of ¥1,000,000: ¥520,000
    journey = Journey(services).assigned()
    with services.db.read() as conn:
        bank = org_id_by_code(conn, "bank-icbc")
        assert figures.remaining_allocation(conn, bank, 2026) == Decimal("520000.00")
        assert figures.remaining_allocation(conn, bank, 2030) is None
    journey.plan_do("hrss_clerk", "plan_prepare", {})
    journey.plan_do("hrss_reviewer", "plan_review", support.decision("plan_review"))
    with pytest.raises(ValidationError) as refused:
        journey.plan_do("hrss_head", "plan_signoff", support.decision("plan_signoff"))
    assert [e.path for e in refused.value.fields] == ["plan_override_reason"]
    assert "remaining allocation of ¥520,000.00 for 2026" in refused.value.fields[0].message
    assert plan(services, journey.plan_id())["status"] == "signoff"
    reason = "全年项目集中于该行，经局务会研究同意超额安排。"
    journey.plan_do("hrss_head", "plan_signoff", {**support.decision("plan_signoff"), "plan_override_reason": reason})
    signed = plan(services, journey.plan_id())
    assert signed["status"] == "bank" and signed["override_reason"] == reason and signed["signed_at"] is not None
    with services.db.read() as conn:
        assert figures.remaining_allocation(conn, bank, 2026) == Decimal("-630000.00")


def test_a_plan_within_the_allocation_is_signed_without_a_reason(services: Services) -> None:
    run_to_fixed(services, allocation_year=2026, allocation_pool="5000000.00")
    journey = Journey(services).assigned()
    confirm_plan(journey)
    assert plan(services, journey.plan_id())["override_reason"] is None
    assert journey.open_names() == ["procurement"]


@pytest.mark.parametrize("step", ["plan_review", "plan_signoff", "bank_confirm"])
def test_sending_back_returns_the_plan_to_its_preparer_with_the_reason_shown(services: Services, step: str) -> None:
    journey = Journey(services).assigned()
    plan_id = journey.plan_id()
    journey.plan_do("hrss_clerk", "plan_prepare", {})
    reason = "第1项备注请注明资金用途。"
    users = {"plan_review": "hrss_reviewer", "plan_signoff": "hrss_head", "bank_confirm": "icbc_user"}
    data = {"plan_review": support.decision("plan_review", "send_back", reason),
            "plan_signoff": support.decision("plan_signoff", "send_back", reason),
            "bank_confirm": support.funds_returned(reason)}
    for earlier in ("plan_review", "plan_signoff", "bank_confirm")[:("plan_review", "plan_signoff",
                                                                      "bank_confirm").index(step)]:
        journey.plan_do(users[earlier], earlier, {**support.decision(earlier), **(
            support.SECURE_FUNDS if earlier == "bank_confirm" else {})})
    journey.plan_do(users[step], step, data[step])
    assert plan(services, plan_id)["status"] == "draft" and plan(services, plan_id)["signed_by"] is None
    with services.db.read() as conn:
        task = conn.execute(select(human_task).where(human_task.c.instance_id == plan_id,
                                                     human_task.c.status == "ready")).one()
    assert task.task_name == "plan_prepare" and task.return_reason == reason and task.returned_from == step
    assert journey.open_names() == [], "the project still waits"
    late = Journey(services).assigned()
    assert late.plan_id() == plan_id, "a plan sent back is a draft again and takes new projects"
    journey.plan_do("hrss_clerk", "plan_prepare", {"plan_rows": [{"project": journey.instance_id,
                                                                  "remark": "用于乘车码应用开发"}]})
    with services.db.read() as conn:
        remark = conn.execute(select(fund_plan_item.c.remark).where(
            fund_plan_item.c.project_instance_id == journey.instance_id)).scalar()
    assert remark == "用于乘车码应用开发"


def test_a_remark_for_a_project_not_in_the_plan_is_a_field_error_and_changes_nothing(services: Services) -> None:
    journey = Journey(services).assigned()
    other = Journey(services).assigned("bank-abc")
    with pytest.raises(ValidationError) as refused:
        journey.plan_do("hrss_clerk", "plan_prepare", {"plan_rows": [
            {"project": journey.instance_id, "remark": "改"}, {"project": other.instance_id, "remark": "x"}]})
    assert [e.path for e in refused.value.fields] == ["plan_rows.1.project"]
    assert plan(services, journey.plan_id())["status"] == "draft"
    with services.db.read() as conn:
        assert conn.execute(select(fund_plan_item.c.remark).where(
            fund_plan_item.c.project_instance_id == journey.instance_id)).scalar() == "2026年第一批"


def test_a_plan_cannot_be_started_by_hand(services: Services) -> None:
    with pytest.raises(PermissionDenied, match="started by the system"):
        start_instance(services, load_actor(services, "hrss_clerk"), "fund_plan")


def test_a_refused_confirmation_changes_nothing(services: Services) -> None:
    journey = Journey(services).assigned()
    journey.plan_do("hrss_clerk", "plan_prepare", {})
    journey.plan_do("hrss_reviewer", "plan_review", support.decision("plan_review"))
    journey.plan_do("hrss_head", "plan_signoff", support.decision("plan_signoff"))
    with pytest.raises(ValidationError):
        journey.plan_do("icbc_user", "bank_confirm", {"funds_decision": "confirm", "funds_secured_on": "2099-01-01"})
    with pytest.raises(NotFound):
        journey.plan_do("abc_user", "bank_confirm", support.SECURE_FUNDS)
    assert plan(services, journey.plan_id())["status"] == "bank"
    assert journey.open_names() == [] and journey.show()["stage"] == "plan"


@pytest.mark.parametrize("bank", ["bank-icbc", "bank-abc", "bank-trcb"])
def test_first_joins_at_the_same_moment_share_one_new_plan(services: Services, bank: str) -> None:
    departments = ("health_user", "transport_user", "culture_user")  # no shared row of the running totals
    journeys = [Journey(services, user) for user in departments]
    for journey, user in zip(journeys, departments):
        journey.do(user, "declare", support.declare(journey.sha))
        journey.do("bdc_reviewer", "review", support.review(sha=journey.sha))
    barrier, errors = threading.Barrier(len(journeys)), []

    def assign(journey: Journey) -> None:
        barrier.wait()
        try:
            journey.do("hrss_clerk", "assign_bank", support.assign_bank(bank))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=assign, args=(j,)) for j in journeys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert {j.plan_id() for j in journeys} == {journeys[0].plan_id()}
    assert sorted(listed(services, journeys[0].plan_id())) == sorted(j.instance_id for j in journeys)
