"""A project through the use cases: projection rows, records, scoping and refusals on a real database."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from models.tables import audit_event, human_task, organization, payment, process_instance, project
from services.context import Services
from services.errors import ConflictError, Hidden, NotFound, PermissionDenied, ValidationError
from services.inbox import tasks_for
from services.instances import start_instance
from services.tasks import complete_task
from services.users import load_actor
from tests import support
from tests.services.journey import Journey


def ready_rows(ctx: Services, instance_id: int) -> list[tuple[str, str, str | None]]:
    with ctx.db.read() as conn:
        rows = conn.execute(
            select(human_task.c.task_name, human_task.c.lane, organization.c.code)
            .outerjoin(organization, organization.c.id == human_task.c.org_id)
            .where(human_task.c.instance_id == instance_id, human_task.c.status == "ready")
            .order_by(human_task.c.task_name)).all()
    return [tuple(r) for r in rows]


def instance_state(ctx: Services, instance_id: int) -> dict[str, Any]:
    with ctx.db.read() as conn:
        row = conn.execute(select(process_instance).where(process_instance.c.id == instance_id)).one()
        audits = conn.execute(select(func.count()).select_from(audit_event)
                              .where(audit_event.c.instance_id == instance_id)).scalar_one()
        tasks = conn.execute(select(human_task.c.id, human_task.c.status)
                             .where(human_task.c.instance_id == instance_id)).all()
    return {"version": row.version, "state": row.state, "stage": row.stage, "audits": audits,
            "tasks": sorted(tuple(t) for t in tasks)}


def test_each_step_projects_its_ready_tasks_with_role_and_organisation(services: Services) -> None:
    j = Journey(services)
    assert ready_rows(services, j.instance_id) == [("declare", "department", "dept-health")]
    j.do("health_user", "declare", support.declare(j.sha))
    assert ready_rows(services, j.instance_id) == [("review", "bdc", None)]
    j.do("bdc_reviewer", "review", support.review(sha=j.sha))
    assert ready_rows(services, j.instance_id) == [("assign_bank", "hrss", None)]
    j.do("hrss_clerk", "assign_bank", support.assign_bank("bank-abc"))
    assert ready_rows(services, j.instance_id) == [], "the project waits for its bank's plan"
    plan = j.plan_id()
    assert ready_rows(services, plan) == [("plan_prepare", "hrss", None)]
    j.plan_do("hrss_clerk", "plan_prepare", {})
    assert ready_rows(services, plan) == [("plan_review", "hrss", None)]
    j.plan_do("hrss_reviewer", "plan_review", support.decision("plan_review"))
    assert ready_rows(services, plan) == [("plan_signoff", "hrss_head", None)]
    j.plan_do("hrss_head", "plan_signoff", support.decision("plan_signoff"))
    assert ready_rows(services, plan) == [("bank_confirm", "bank", "bank-abc")]
    shown = j.show()
    assert (shown["stage"], shown["status"], shown["bank"]) == ("plan", "running", "bank-abc")
    assert shown["project"]["approved_budget"] == "1150000.00"
    assert [t["status"] for t in shown["tasks"]].count("completed") == 3
    j.plan_do("abc_user", "bank_confirm", support.SECURE_FUNDS)
    assert ready_rows(services, j.instance_id) == [("procurement", "hrss", None)]
    assert ready_rows(services, plan) == []


def test_a_project_runs_to_payment_in_full_with_exact_records(services: Services) -> None:
    j = Journey(services).to_payment()
    assert ready_rows(services, j.instance_id) == [("payment_notice", "hrss", None)]
    j.do("hrss_clerk", "payment_notice", support.notice("600000.00", sha=j.sha))
    assert ready_rows(services, j.instance_id) == [("payment_receipt", "bank", "bank-icbc")]
    j.do("icbc_user", "payment_receipt", support.receipt())
    assert ready_rows(services, j.instance_id) == [("payment", "bank", "bank-icbc")]
    j.do("icbc_user", "payment", support.paid())
    services.clock.at += timedelta(days=14)
    j.notice_received("400000.00", on="2026-10-08")
    j.do("icbc_user", "payment", support.paid("2026-10-12", "TX0002"))
    shown = j.show()
    assert (shown["status"], shown["stage"], shown["open_tasks"]) == ("completed", "completed", [])
    assert [p["amount"] for p in shown["payments"]] == ["600000.00", "400000.00"]
    with services.db.read() as conn:
        assert conn.execute(select(project.c.paid_total)).scalar_one() == Decimal("1000000.00")
        assert conn.execute(select(func.sum(payment.c.amount))).scalar_one() == Decimal("1000000.00")
    events = [e["event"] for e in shown["history"]]
    assert events[0] == "instance_started"
    assert events[-2:] == ["task_completed", "instance_ended"]
    assert {d["field"] for d in shown["documents"]} >= {"feasibility_report", "review_report", "invoice_file"}


def test_a_notice_cannot_ask_for_more_than_the_unpaid_remainder(services: Services) -> None:
    j = Journey(services).to_payment()
    j.notice_received("600000.00")
    j.do("icbc_user", "payment", support.paid())
    form = next(t for t in tasks_for(services, j.actor("hrss_clerk"), with_forms=True)
                if t["instance_id"] == j.instance_id)["form"]
    assert form["properties"]["notice_amount"]["default"] == "400000.00"
    with pytest.raises(ValidationError) as caught:
        j.do("hrss_clerk", "payment_notice", support.notice("400000.01", sha=j.sha))
    assert caught.value.field_messages() == {"notice_amount": "The amount must be at most ¥400,000.00."}


def test_a_department_sees_and_completes_only_its_own_projects(services: Services) -> None:
    j = Journey(services)
    other = load_actor(services, "transport_user")
    assert [t["instance_id"] for t in tasks_for(services, other)] == []
    assert [t["name"] for t in tasks_for(services, j.actor("health_user"))] == ["declare"]
    with pytest.raises(Hidden):
        complete_task(services, other, j.task_id("declare"), support.declare(j.sha))
    with services.db.read() as conn:
        denied = conn.execute(select(audit_event.c.data).where(audit_event.c.event == "access_denied")).scalars().all()
    assert len(denied) == 1 and "task" in denied[0]


def test_a_bank_sees_only_the_projects_in_its_plan(services: Services) -> None:
    j = Journey(services).to_plan("bank-abc")
    assert [t["name"] for t in tasks_for(services, j.actor("abc_user"))] == ["bank_confirm"]
    assert tasks_for(services, j.actor("icbc_user")) == []
    assert tasks_for(services, j.actor("health_user")) == [], "departments never see plans"
    (task,) = tasks_for(services, j.actor("abc_user"))
    with pytest.raises(NotFound):
        complete_task(services, j.actor("icbc_user"), task["id"], support.SECURE_FUNDS)


def test_a_wrong_role_is_refused_and_nothing_changes(services: Services) -> None:
    j = Journey(services)
    j.do("health_user", "declare", support.declare(j.sha))
    before = instance_state(services, j.instance_id)
    with pytest.raises(PermissionDenied):
        j.do("hrss_clerk", "review", support.review(sha=j.sha))
    assert instance_state(services, j.instance_id) == before


@pytest.mark.parametrize(("data", "errors"), [
    ({**support.declare(), "budget": "12.345", "declaration_year": "2026"},
     {"budget": "money", "declaration_year": "readOnly", "feasibility_report": "file"}),
    ({**support.declare(), "approved": True}, {"approved": "additionalProperties"}),
    ({"project_name": "x"}, {"card_function": "required", "budget": "required", "urgency_reason": "required"}),
])
def test_invalid_form_data_is_refused_with_field_messages_and_nothing_changes(
        services: Services, data: dict[str, Any], errors: dict[str, str]) -> None:
    j = Journey(services)
    if data.get("feasibility_report") == support.PLACEHOLDER_SHA and "approved" in data:
        data = {**data, "feasibility_report": j.sha}
    before = instance_state(services, j.instance_id)
    with pytest.raises(ValidationError) as caught:
        j.do("health_user", "declare", data)
    codes = {e.path: e.code for e in caught.value.fields}
    assert {k: codes.get(k) for k in errors} == errors
    assert instance_state(services, j.instance_id) == before


def test_the_preparer_of_a_plan_may_not_also_review_it(services: Services) -> None:
    j = Journey(services)
    j.do("health_user", "declare", support.declare(j.sha))
    j.do("bdc_reviewer", "review", support.review(sha=j.sha))
    j.do("hrss_clerk", "assign_bank", support.assign_bank())
    j.plan_do("hrss_clerk", "plan_prepare", {})
    with pytest.raises(PermissionDenied):
        j.plan_do("hrss_clerk", "plan_review", support.decision("plan_review"))
    j.plan_do("hrss_reviewer", "plan_review", support.decision("plan_review"))


def test_completing_a_handled_task_is_a_conflict(services: Services) -> None:
    j = Journey(services)
    task_id = j.task_id("declare")
    complete_task(services, j.actor("health_user"), task_id, support.declare(j.sha))
    with pytest.raises(ConflictError):
        complete_task(services, j.actor("health_user"), task_id, support.declare(j.sha))


def test_starting_with_data_submits_the_declaration_in_the_same_step(services: Services) -> None:
    j = Journey(services)
    result = start_instance(services, j.actor("health_user"), "fund_project", support.declare(j.sha))
    assert [t["name"] for t in result["ready"]] == ["review"]
    with pytest.raises(PermissionDenied):
        start_instance(services, j.actor("bdc_reviewer"), "fund_project")
    with pytest.raises(NotFound):
        start_instance(services, j.actor("health_user"), "no_such_process")


def test_a_failed_start_leaves_no_instance_behind(services: Services) -> None:
    actor = load_actor(services, "health_user")
    with pytest.raises(ValidationError):
        start_instance(services, actor, "fund_project", {"budget": "-1"})
    with services.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(process_instance)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(human_task)).scalar_one() == 0
