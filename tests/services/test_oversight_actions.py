"""Suspend, resume, terminate and reassign: each needs a reason, is audited and changes what people may do."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from services.context import Services
from services.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from services.inbox import inbox_counts, tasks_for
from services.instances import show_instance
from services.oversight import actions
from services.oversight.audit_log import AuditFilter, audit_page
from services.oversight.reassign import admin_panel, reassign
from services.timers import fire_due_timers
from services.users import load_actor
from tests import support
from tests.services import samples
from tests.services.journey import Journey

AFTER_DUE = datetime(2026, 11, 3, 2, 0, tzinfo=timezone.utc)  # the day after sample #4's payment was due


def _events(services: Services, instance_id: int) -> list[tuple[str, str]]:
    return [(e["event"], e["data"].get("reason", "")) for e in show_instance(services, None, instance_id)["history"]
            if e["event"] in ("instance_suspended", "instance_resumed", "instance_terminated", "task_reassigned")]


def test_a_suspended_project_cannot_move_and_its_timer_waits_until_it_is_resumed(services: Services) -> None:
    ids = samples.seed(services)
    admin, bank = load_actor(services, "admin"), load_actor(services, "icbc_user")
    project = samples.Existing(services, ids["payment"])
    task_id = project.task_id("payment")
    assert actions.suspend(services, admin, ids["payment"], "  核查付款资料  ") == {
        "instance_id": ids["payment"], "status": "suspended", "stage": "payment"}
    assert tasks_for(services, bank) == [] and inbox_counts(services, bank)["total"] == 0
    with pytest.raises(ConflictError, match="the project is suspended"):
        project.do("icbc_user", "payment", support.paid("2026-09-28"))
    samples.at(services, AFTER_DUE)
    assert fire_due_timers(services) == []
    assert project.open_names() == ["payment"]
    actions.resume(services, admin, ids["payment"], "资料齐全")
    assert [t["id"] for t in tasks_for(services, bank)] == [task_id]
    # Both of the payment clock's timers fell due while it was suspended (the reminder 5 working days
    # before the due day, the deadline after it): both fire now.
    assert fire_due_timers(services) == [{"instance_id": ids["payment"],
                                          "fired": ["payment_reminder_timer", "payment_timer"]}]
    assert project.open_names() == ["payment", "payment_overdue"]
    project.do("icbc_user", "payment", support.paid("2026-11-03"))
    assert _events(services, ids["payment"]) == [("instance_suspended", "核查付款资料"),
                                                 ("instance_resumed", "资料齐全")]


def test_a_terminated_project_is_ended_for_good(services: Services) -> None:
    ids = samples.seed(services)
    admin = load_actor(services, "admin")
    actions.suspend(services, admin, ids["payment"], "核查")
    assert actions.terminate(services, admin, ids["payment"], "合同解除")["status"] == "terminated"
    shown = show_instance(services, None, ids["payment"])
    assert (shown["status"], shown["stage"], shown["open_tasks"], shown["next_timer_due"]) == (
        "terminated", "terminated", [], None)
    assert {t["status"] for t in shown["tasks"]} == {"completed", "cancelled"}
    for action in (actions.resume, actions.suspend, actions.terminate):
        with pytest.raises(ConflictError):
            action(services, admin, ids["payment"], "再试")
    samples.at(services, AFTER_DUE)
    assert fire_due_timers(services) == []
    assert ("instance_terminated", "合同解除") in _events(services, ids["payment"])


def test_a_reassigned_task_is_only_for_its_new_assignee(services: Services) -> None:
    samples.at(services, samples.SEEDED_AT)
    j = Journey(services)
    j.do("health_user", "declare", support.declare(j.sha))
    j.do("bdc_reviewer", "review", support.review(sha=j.sha))
    admin, clerk, reviewer = (load_actor(services, u) for u in ("admin", "hrss_clerk", "hrss_reviewer"))
    task_id = j.task_id("assign_bank")
    done = reassign(services, admin, task_id, "hrss_reviewer", "王芳休假")
    assert (done["assignee"], done["assignee_name"]) == ("hrss_reviewer", "李强（审核人）")
    assert tasks_for(services, clerk) == [] and [t["id"] for t in tasks_for(services, reviewer)] == [task_id]
    with pytest.raises(PermissionDenied, match="assigned to another user"):
        j.do("hrss_clerk", "assign_bank", support.assign_bank())
    j.do("hrss_reviewer", "assign_bank", support.assign_bank())
    (event,) = [e for e in show_instance(services, None, j.instance_id)["history"] if e["event"] == "task_reassigned"]
    assert (event["actor"], event["task_id"], event["data"]["to"], event["data"]["reason"]) == (
        "admin", task_id, "hrss_reviewer", "王芳休假")
    j.plan_do("hrss_clerk", "plan_prepare", {})
    with pytest.raises(ValidationError, match="prepared the step"):
        reassign(services, admin, j.plan_task_id("plan_review"), "hrss_clerk", "换人审核")



@pytest.mark.parametrize(("username", "message"), [
    ("nobody", "Unknown user nobody."),
    ("abc_user", "abc_user does not hold the role bank in the organisation of this task."),
    ("hrss_clerk", "hrss_clerk does not hold the role bank in the organisation of this task."),
])
def test_a_task_goes_only_to_someone_with_its_role_in_its_organisation(services: Services, username: str,
                                                                      message: str) -> None:
    ids = samples.seed(services)
    task_id = samples.Existing(services, ids["payment"]).task_id("payment")
    with pytest.raises(ValidationError) as caught:
        reassign(services, load_actor(services, "admin"), task_id, username, "换人")
    assert caught.value.field_messages() == {"to": message}


def test_the_reassign_choices_are_the_users_holding_the_role(services: Services) -> None:
    ids = samples.seed(services)
    panel = admin_panel(services, load_actor(services, "admin"), ids["payment"])
    assert panel is not None and (panel["may_suspend"], panel["may_resume"]) == (True, False)
    assert [(t["name"], [u["username"] for u in t["candidates"]]) for t in panel["tasks"]] == [
        ("payment", ["icbc_user"])]
    assert admin_panel(services, load_actor(services, "supervisor"), ids["payment"]) is None


@pytest.mark.parametrize("username", ["supervisor", "hrss_head", "hrss_clerk", "icbc_user"])
def test_only_administrators_act_on_projects(services: Services, username: str) -> None:
    ids = samples.seed(services)
    who = load_actor(services, username)
    task_id = samples.Existing(services, ids["payment"]).task_id("payment")
    for call in (lambda: actions.suspend(services, who, ids["payment"], "x"),
                 lambda: actions.terminate(services, who, ids["payment"], "x"),
                 lambda: reassign(services, who, task_id, "icbc_user", "x")):
        with pytest.raises(PermissionDenied):
            call()
    assert show_instance(services, None, ids["payment"])["status"] == "running"


def test_another_banks_project_is_not_found_and_the_attempt_is_audited(services: Services) -> None:
    ids = samples.seed(services)
    with pytest.raises(NotFound):
        actions.suspend(services, load_actor(services, "abc_user"), ids["payment"], "x")
    page = audit_page(services, load_actor(services, "supervisor"), AuditFilter(event="access_denied"))
    assert [(e["user"], e["instance_id"], e["data"]["action"]) for e in page["items"]] == [
        ("abc_user", ids["payment"], "suspend")]


@pytest.mark.parametrize("reason", ["", "   ", None, "x" * 501])
def test_every_action_needs_a_reason(services: Services, reason: str | None) -> None:
    ids = samples.seed(services)
    admin = load_actor(services, "admin")
    task_id = samples.Existing(services, ids["payment"]).task_id("payment")
    for call in (lambda: actions.suspend(services, admin, ids["payment"], reason),
                 lambda: actions.terminate(services, admin, ids["payment"], reason),
                 lambda: reassign(services, admin, task_id, "icbc_user", reason)):
        with pytest.raises(ValidationError) as caught:
            call()
        assert list(caught.value.field_messages()) == ["reason"]
    assert show_instance(services, None, ids["payment"])["status"] == "running"
    assert _events(services, ids["payment"]) == []


def test_only_a_running_project_is_suspended_and_only_a_suspended_one_resumed(services: Services) -> None:
    ids = samples.seed(services)
    admin = load_actor(services, "admin")
    with pytest.raises(ConflictError, match="only a suspended project"):
        actions.resume(services, admin, ids["plan"], "x")
    actions.suspend(services, admin, ids["plan"], "x")
    with pytest.raises(ConflictError, match="only a running project"):
        actions.suspend(services, admin, ids["plan"], "x")
    actions.suspend(services, admin, ids["contract"], "x")
    task_id = samples.Existing(services, ids["contract"]).task_id("contract")
    with pytest.raises(ConflictError, match="the project is suspended"):
        reassign(services, admin, task_id, "trcb_user", "x")
