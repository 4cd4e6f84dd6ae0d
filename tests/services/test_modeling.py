"""Process owners deploy versions, see what runs on them, and move running projects to a newer version."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from bpmn import DIAGRAMS_DIR
from models.tables import audit_event, human_task, process_instance, process_model
from services.clock import FixedClock
from services.context import Services
from services.errors import NotFound, PermissionDenied
from services.instances import show_instance, start_instance
from services.modeling.catalog import list_processes, model_source, process_versions
from services.modeling.deploy import deploy_model
from services.modeling.diagram import project_diagram
from services.modeling.migration import migrate_instances, preview_migration
from services.modeling.validation import ModelRejected
from services.tasks import complete_task
from services.timers import fire_due_timers
from services.users import load_actor
from tests import diagrams, support
from tests.services import allocation_helpers, reconciliation_helpers
from tests.services.journey import Journey


def owner(ctx: Services):  # type: ignore[no-untyped-def]
    return load_actor(ctx, "process_owner")


def deploy(ctx: Services, bpmn: bytes, forms: dict[str, bytes]) -> int:
    return deploy_model(ctx, owner(ctx), bpmn, forms, "fund_project.bpmn")["version"]


def tasks_of(ctx: Services, instance_id: int) -> list[tuple[str, str, str, str]]:
    with ctx.db.read() as conn:
        rows = conn.execute(select(human_task.c.id, human_task.c.task_name, human_task.c.title, human_task.c.status)
                            .where(human_task.c.instance_id == instance_id).order_by(human_task.c.created_at,
                                                                                       human_task.c.id))
        return [tuple(r) for r in rows]


def test_a_process_owner_deploys_a_new_version_recorded_with_its_author(services: Services) -> None:
    bpmn, forms = diagrams.with_publication()
    assert deploy(services, bpmn, forms) == 2
    versions = process_versions(services, owner(services), "fund_project")["versions"]
    assert [(v["version"], v["created_by"]) for v in versions] == [(2, "process_owner"), (1, None)]
    listed = {p["process_id"]: p for p in list_processes(services, load_actor(services, "supervisor"))}
    assert listed["fund_project"]["latest_version"] == 2
    source = model_source(services, owner(services), "fund_project", 2)
    assert "plan_publish" in source["bpmn"] and source["forms"]["plan_publish.json"] == diagrams.PUBLISH_FORM
    with services.db.read() as conn:
        events = conn.execute(select(audit_event.c.event).where(audit_event.c.event == "model_deployed")).all()
    assert len(events) == 1


def test_a_diagram_with_problems_is_refused_with_its_report_and_nothing_is_stored(services: Services) -> None:
    bpmn, forms = diagrams.with_publication()
    del forms["plan_publish.json"]
    with pytest.raises(ModelRejected) as refused:
        deploy(services, bpmn, forms)
    assert [(p.rule, p.element) for p in refused.value.report.problems] == [("form-missing", "plan_publish")]
    with services.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(process_model)
                            .where(process_model.c.process_id == "fund_project")).scalar_one() == 1


@pytest.mark.parametrize("username", ["supervisor", "admin", "hrss_clerk", "icbc_user"])
def test_only_process_owners_deploy_and_migrate(services: Services, username: str) -> None:
    bpmn, forms = diagrams.with_publication()
    with pytest.raises(PermissionDenied):
        deploy_model(services, load_actor(services, username), bpmn, forms, "fund_project.bpmn")
    with pytest.raises(PermissionDenied):
        migrate_instances(services, load_actor(services, username), "fund_project", 1)


@pytest.mark.parametrize("username", ["icbc_user", "health_user", "bdc_reviewer"])
def test_role_users_may_not_read_process_models(services: Services, username: str) -> None:
    with pytest.raises(PermissionDenied):
        list_processes(services, load_actor(services, username))
    with pytest.raises(PermissionDenied):
        preview_migration(services, load_actor(services, username), "fund_project", 1)


def _revised_v2(services: Services) -> int:
    bpmn, forms = diagrams.with_publication(diagrams.fund_project(
        ('<bpmn:userTask id="review" name="可行性研究报告评审">'.encode(),
         '<bpmn:userTask id="review" name="可研报告评审">'.encode())))
    return deploy(services, bpmn, forms)


def test_running_projects_move_to_the_new_version_with_their_data_and_tasks(services: Services) -> None:
    at_review, at_payment = Journey(services), Journey(services).to_payment()
    at_review.do("health_user", "declare", support.declare(at_review.sha))
    at_payment.do("hrss_clerk", "payment_notice", support.notice(support.PROCUREMENT["contract_price"],
                                                                  sha=at_payment.sha))
    data_before = show_instance(services, None, at_payment.instance_id)["project"]
    timer_before = show_instance(services, None, at_payment.instance_id)["next_timer_due"]
    review_task = at_review.task_id("review")
    assert _revised_v2(services) == 2
    preview = preview_migration(services, load_actor(services, "supervisor"), "fund_project", 2)
    assert [(r["instance_id"], r["ok"]) for r in preview] == [(at_review.instance_id, True),
                                                               (at_payment.instance_id, True)]
    moved = migrate_instances(services, owner(services), "fund_project", 2)
    assert [(r["from"], r["to"], r["ok"], r["reason"]) for r in moved] == [(1, 2, True, None)] * 2
    shown = at_review.show()
    assert shown["model_version"] == 2 and shown["stage"] == "review"
    assert [(t[0], t[2], t[3]) for t in tasks_of(services, at_review.instance_id) if t[3] == "ready"] == [
        (review_task, "可研报告评审", "ready")]
    assert "instance_migrated" in [e["event"] for e in shown["history"]]
    payment = show_instance(services, None, at_payment.instance_id)
    assert payment["project"] == data_before and payment["next_timer_due"] == timer_before
    at_review.do("bdc_reviewer", "review", support.review(sha=at_review.sha))
    at_review.do("hrss_clerk", "assign_bank", support.assign_bank())
    assert at_review.open_names() == ["plan_publish"]
    assert migrate_instances(services, owner(services), "fund_project", 2) == []


def test_a_project_inside_its_payment_period_moves_keeps_its_task_row_and_pays_to_the_end(
        services: Services) -> None:
    in_period = Journey(services).to_payment().notice_received(support.PROCUREMENT["contract_price"])
    shown = in_period.show()
    [(task_id, name, _title, status)] = [t for t in tasks_of(services, in_period.instance_id) if t[3] == "ready"]
    due_before = [t["due"] for t in shown["open_tasks"]]
    bpmn, forms = diagrams.with_payment_archive()
    assert deploy(services, bpmn, forms) == 2
    (result,) = migrate_instances(services, owner(services), "fund_project", 2)
    assert (result["instance_id"], result["ok"], result["reason"]) == (in_period.instance_id, True, None)
    moved = in_period.show()
    assert (moved["model_version"], moved["stage"], moved["next_timer_due"]) == (2, "payment", shown["next_timer_due"])
    assert moved["project"] == shown["project"] and [t["due"] for t in moved["open_tasks"]] == due_before
    assert [t for t in tasks_of(services, in_period.instance_id) if t[3] == "ready"] == [
        (task_id, name, "确认付款（合作银行）", status)]
    assert "instance_migrated" in [e["event"] for e in moved["history"]]
    diagram = project_diagram(services, load_actor(services, "icbc_user"), in_period.instance_id)
    assert diagram["version"] == 2 and 'id="payment_archive"' in diagram["bpmn"]
    assert (diagram["states"]["payment_receipt"], diagram["states"]["payment"]) == ("completed", "ready")
    in_period.do("icbc_user", "payment", {**support.paid("2026-09-20"), "payment_note": "一次付清"})
    assert in_period.open_names() == ["payment_archive"], "the step added after the payment period is not skipped"
    in_period.do("hrss_clerk", "payment_archive", {"archive_no": "GD-1"})
    assert in_period.show()["status"] == "completed"


FOLLOW_UP = {"overdue_follow_up": "已电话督促合作银行", "overdue_contacted_on": "2026-11-03"}


def test_projects_whose_payment_follow_up_the_new_version_drops_stay_on_their_version(services: Services) -> None:
    follow_up_open, follow_up_done = (Journey(services).to_payment().notice_received(
        support.PROCUREMENT["contract_price"]) for _ in range(2))
    services.clock = FixedClock(datetime.fromisoformat("2026-11-03T10:00:00+08:00"))
    fire_due_timers(services)
    follow_up_done.do("hrss_clerk", "payment_overdue", FOLLOW_UP)
    before = {j.instance_id: tasks_of(services, j.instance_id) for j in (follow_up_open, follow_up_done)}
    deploy(services, diagrams.remove_user_task(support.FUND_PROJECT.read_bytes(), "payment_overdue"),
           support.read_forms())
    results = {r["instance_id"]: r for r in migrate_instances(services, owner(services), "fund_project", 2)}
    assert results[follow_up_open.instance_id]["code"] == "task-missing"
    assert results[follow_up_done.instance_id]["code"] == "history-missing"
    assert all("付款逾期督办" in r["reason"] for r in results.values())
    for journey in (follow_up_open, follow_up_done):
        shown = journey.show()
        assert shown["model_version"] == 1 and tasks_of(services, journey.instance_id) == before[journey.instance_id]
        assert "instance_migration_refused" in [e["event"] for e in shown["history"]]
    follow_up_open.do("hrss_clerk", "payment_overdue", FOLLOW_UP)
    assert follow_up_open.open_names() == ["payment"]


def test_a_project_whose_current_step_was_removed_stays_on_its_version(services: Services) -> None:
    at_declare, at_assign, at_waiting = Journey(services), Journey(services), Journey(services).assigned()
    at_assign.do("health_user", "declare", support.declare(at_assign.sha))
    at_assign.do("bdc_reviewer", "review", support.review(sha=at_assign.sha))
    tasks_before = tasks_of(services, at_assign.instance_id)
    deploy(services, diagrams.remove_user_task(support.FUND_PROJECT.read_bytes(), "assign_bank"), support.read_forms())
    results = {r["instance_id"]: r for r in migrate_instances(services, owner(services), "fund_project", 2)}
    assert results[at_declare.instance_id]["ok"] is True, results[at_declare.instance_id]["reason"]
    assert (results[at_assign.instance_id]["ok"], results[at_assign.instance_id]["code"]) == (False, "task-missing")
    assert "安排合作银行及计划金额" in results[at_assign.instance_id]["reason"]
    assert results[at_waiting.instance_id]["code"] == "history-missing"
    assert at_assign.show()["model_version"] == 1 and tasks_of(services, at_assign.instance_id) == tasks_before
    assert "instance_migration_refused" in [e["event"] for e in at_assign.show()["history"]]
    at_assign.do("hrss_clerk", "assign_bank", support.assign_bank())
    assert at_assign.open_names() == [] and at_assign.plan_id() == at_waiting.plan_id()
    assert at_declare.show()["model_version"] == 2


def test_a_project_lacking_a_value_the_new_version_reads_cannot_move(services: Services) -> None:
    at_review = Journey(services)
    at_review.do("health_user", "declare", support.declare(at_review.sha))
    deploy(services, diagrams.fund_project((b'review_decision == "approve"</bpmn:conditionExpression>',
                                            b'review_decision == "approve" and risk_level != "high"'
                                            b'</bpmn:conditionExpression>')), support.read_forms())
    [result] = preview_migration(services, owner(services), "fund_project", 2)
    assert (result["ok"], result["code"]) == (False, "value-missing") and "risk_level" in result["reason"]
    [dry] = migrate_instances(services, owner(services), "fund_project", 2, dry_run=True)
    assert dry == result and at_review.show()["model_version"] == 1


def test_migrating_to_an_unknown_version_is_not_found(services: Services) -> None:
    with pytest.raises(NotFound):
        migrate_instances(services, owner(services), "fund_project", 9)


def test_a_project_diagram_shows_its_state_path_and_who_did_what(services: Services) -> None:
    journey = Journey(services).to_payment()
    journey.do("hrss_clerk", "payment_notice", support.notice(support.PROCUREMENT["contract_price"], sha=journey.sha))
    journey.do("icbc_user", "payment_receipt", support.receipt())
    diagram = project_diagram(services, load_actor(services, "icbc_user"), journey.instance_id)
    assert diagram["version"] == 1 and 'id="payment_timer"' in diagram["bpmn"]
    states = diagram["states"]
    assert (states["declare"], states["payment"], states["payment_timer"]) == ("completed", "ready", "waiting")
    assert "review_gateway" in states and "end_rejected" not in states
    assert {"flow_review_approve", "flow_bdc_join", "flow_payment_due"} <= set(diagram["path"])
    assert "flow_review_reject" not in diagram["path"]
    assert diagram["details"]["declare"][0]["username"] == "health_user"
    assert diagram["details"]["start"][0]["username"] == "health_user"
    assert [r["element"] for r in diagram["ready"]] == ["payment"]
    services.clock.at = datetime.fromisoformat(diagram["ready"][0]["due"]) + timedelta(hours=1)  # type: ignore[attr-defined]
    later = project_diagram(services, load_actor(services, "supervisor"), journey.instance_id)
    assert later["states"]["payment"] == "overdue" and later["ready"][0]["overdue"] is True


def test_a_project_diagram_is_hidden_from_other_organisations_and_the_attempt_is_audited(services: Services) -> None:
    journey = Journey(services)
    with pytest.raises(NotFound):
        project_diagram(services, load_actor(services, "transport_user"), journey.instance_id)
    with services.db.read() as conn:
        denied = conn.execute(select(audit_event.c.data).where(audit_event.c.event == "access_denied")).scalars().all()
    assert len(denied) == 1 and "project_diagram" in denied[0]


def test_a_project_keeps_drawing_the_version_it_runs_on(services: Services) -> None:
    journey = Journey(services)
    _revised_v2(services)
    assert "plan_publish" not in project_diagram(services, load_actor(services, "health_user"),
                                                 journey.instance_id)["bpmn"]
    with services.db.read() as conn:
        first = conn.execute(select(process_model.c.id).where(process_model.c.process_id == "fund_project",
                                                              process_model.c.version == 1)).scalar_one()
        assert conn.execute(select(process_instance.c.model_id)).scalar_one() == first


def test_an_allocation_run_waiting_for_each_banks_count_stays_on_its_version(services: Services) -> None:
    run = allocation_helpers.start(services)
    banks = {user: allocation_helpers.task_of(services, user, run, "bank_confirm")
             for user in allocation_helpers.BANK_USERS.values()}
    before = tasks_of(services, run)
    allocation = DIAGRAMS_DIR / "allocation.bpmn"
    bpmn = allocation.read_bytes().replace('name="确认上年年末持卡数量"'.encode(), 'name="确认持卡数量"'.encode())
    deploy_model(services, owner(services), bpmn, support.read_forms(allocation), "allocation.bpmn")
    (result,) = migrate_instances(services, owner(services), "allocation", 2)
    assert (result["ok"], result["code"]) == (False, "multi-instance") and "确认上年年末持卡数量" in result["reason"]
    assert tasks_of(services, run) == before
    assert {user: allocation_helpers.task_of(services, user, run, "bank_confirm") for user in banks} == banks
    for bank in allocation_helpers.BANK_USERS:
        allocation_helpers.confirm(services, run, bank)
    allocation_helpers.approve(services, run)
    assert show_instance(services, None, run)["status"] == "completed"


def _org_of_task(ctx: Services, task_id: str) -> int | None:
    with ctx.db.read() as conn:
        return conn.execute(select(human_task.c.org_id).where(human_task.c.id == task_id)).scalar_one()


def test_a_reconciliation_waiting_for_the_banks_report_moves_and_its_task_stays_the_banks(services: Services) -> None:
    run, other = reconciliation_helpers.start(services), reconciliation_helpers.start(services, bank="bank-abc")
    (task,) = reconciliation_helpers.tasks(services, "icbc_user", run, "bank_report")
    icbc = reconciliation_helpers.org(services, "bank-icbc")
    assert _org_of_task(services, task["id"]) == icbc
    path = DIAGRAMS_DIR / "reconciliation.bpmn"
    bpmn = path.read_bytes().replace('name="报送持卡数量和支付金额"'.encode(), 'name="报送持卡数量与支付金额"'.encode())
    deploy_model(services, owner(services), bpmn, support.read_forms(path), "reconciliation.bpmn")
    results = {r["instance_id"]: r for r in migrate_instances(services, owner(services), "reconciliation", 2)}
    assert [(results[i]["ok"], results[i]["reason"]) for i in (run, other)] == [(True, None)] * 2
    assert show_instance(services, None, run)["model_version"] == 2
    (moved,) = reconciliation_helpers.tasks(services, "icbc_user", run, "bank_report")
    assert (moved["id"], moved["title"]) == (task["id"], "报送持卡数量与支付金额")
    assert _org_of_task(services, task["id"]) == icbc, "the task stays scoped to the reconciliation's bank"
    assert reconciliation_helpers.tasks(services, "abc_user", run, "bank_report") == []
    reconciliation_helpers.report(services, run, {"reported_card_count": 1, "reported_paid_total": "0.00",
                                                  "reported_lines": []})
    explain = reconciliation_helpers.tasks(services, "icbc_user", run, "bank_explain")
    assert explain and all(_org_of_task(services, t["id"]) == icbc for t in explain)
    assert reconciliation_helpers.tasks(services, "abc_user", run, "bank_explain") == []
    for number, step in enumerate(explain, start=1):
        complete_task(services, load_actor(services, "icbc_user"), step["id"], {"bank_explanation_text": f"说明{number}"})
    for step in reconciliation_helpers.tasks(services, "hrss_reviewer", run, "bureau_close"):
        complete_task(services, load_actor(services, "hrss_reviewer"), step["id"], {"bureau_explanation": "已核实"})
    assert show_instance(services, None, run)["status"] == "completed"
    assert reconciliation_helpers.record(services, run).status == "closed"


def _bank_survey(label: str = "报送持卡数量和支付金额") -> bytes:
    """Return the reconciliation diagram as a process of its own whose report belongs to the bank `surveyed_bank`
    names: a process the host keeps no bank for (the project's bank column stays empty), like an allocation."""
    bpmn = (DIAGRAMS_DIR / "reconciliation.bpmn").read_text(encoding="utf-8")
    bpmn = bpmn.replace('id="reconciliation"', 'id="bank_survey"').replace('processRef="reconciliation"',
                                                                         'processRef="bank_survey"')
    bpmn = bpmn.replace('<spiffworkflow:property name="orgFrom" value="bank"/>',
                        '<spiffworkflow:property name="orgFrom" value="surveyed_bank"/>')
    return bpmn.replace('name="报送持卡数量和支付金额"', f'name="{label}"').encode()


def test_a_task_belonging_to_the_bank_its_data_names_stays_that_banks_when_it_moves(services: Services) -> None:
    forms = support.read_forms(DIAGRAMS_DIR / "reconciliation.bpmn")
    deploy_model(services, owner(services), _bank_survey(), forms, "bank_survey.bpmn")
    figures = {"recorded_card_count": 520000, "recorded_card_source": "2026年度分配", "recorded_paid_total": "0.00",
               "recorded_lines": [], "reported_lines": []}
    run = start_instance(services, load_actor(services, "hrss_clerk"), "bank_survey",
                         initial={"surveyed_bank": "bank-abc", **figures})["instance_id"]
    (task,) = reconciliation_helpers.tasks(services, "abc_user", run, "bank_report")
    abc = reconciliation_helpers.org(services, "bank-abc")
    assert _org_of_task(services, task["id"]) == abc
    deploy_model(services, owner(services), _bank_survey("报送持卡数量与支付金额"), forms, "bank_survey.bpmn")
    (result,) = migrate_instances(services, owner(services), "bank_survey", 2)
    assert (result["ok"], result["reason"]) == (True, None)
    assert _org_of_task(services, task["id"]) == abc, "the task stays the bank's its data names"
    assert reconciliation_helpers.tasks(services, "icbc_user", run, "bank_report") == []
    (moved,) = reconciliation_helpers.tasks(services, "abc_user", run, "bank_report")
    assert (moved["id"], moved["title"]) == (task["id"], "报送持卡数量与支付金额")
    complete_task(services, load_actor(services, "abc_user"), task["id"],
                  {"reported_card_count": 520000, "reported_paid_total": "0.00", "reported_lines": []})
    assert show_instance(services, None, run)["status"] == "completed"


def test_a_task_whose_bank_the_new_version_looks_for_in_missing_data_stays_on_its_version(services: Services) -> None:
    forms = support.read_forms(DIAGRAMS_DIR / "reconciliation.bpmn")
    deploy_model(services, owner(services), _bank_survey(), forms, "bank_survey.bpmn")
    run = start_instance(services, load_actor(services, "hrss_clerk"), "bank_survey",
                         initial={"surveyed_bank": "bank-abc", "reported_lines": []})["instance_id"]
    before = tasks_of(services, run)
    elsewhere = _bank_survey().replace(b'value="surveyed_bank"', b'value="answering_bank"')
    deploy_model(services, owner(services), elsewhere, forms, "bank_survey.bpmn")
    (result,) = migrate_instances(services, owner(services), "bank_survey", 2)
    assert (result["ok"], result["code"]) == (False, "state") and "answering_bank" in result["reason"]
    assert show_instance(services, None, run)["model_version"] == 1 and tasks_of(services, run) == before
    assert reconciliation_helpers.tasks(services, "abc_user", run, "bank_report")
