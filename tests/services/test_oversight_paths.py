"""The dashboard's totals stay exact on every path that moves a project; suspension and termination hold the clock.

Main gained paths the oversight branch never saw: the new-declaration page (a project started and
declared in one transaction), withdrawal with a reason, the timer worker, calendar recomputation,
model migration and the allocation process (which has no project row). Each is driven here and the
stored totals are compared with the totals recomputed from the projects after every one.
"""
from __future__ import annotations

from datetime import datetime

from services import files
from services.admin import add_user
from services.calendar import admin as calendar_admin
from services.calendar import recompute
from services.clock import FixedClock
from services.context import Services
from services.inbox import tasks_for
from services.instances import start_instance
from services.modeling.deploy import deploy_model
from services.modeling.diagram import project_diagram
from services.modeling.migration import migrate_instances
from services.notifications.core import list_for
from services.oversight import actions
from services.oversight.dashboard import overview
from services.oversight.reassign import reassign
from services.oversight.totals import misplaced, recomputed, stored
from services.timers import fire_due_timers, run_pass
from services.users import load_actor
from services.withdraw import withdraw
from tests import diagrams, support
from tests.services import allocation_helpers
from tests.services.journey import PDF, Journey


def at(services: Services, day: str, hour: int = 10) -> None:
    services.clock = FixedClock(datetime.fromisoformat(f"{day}T{hour:02d}:00:00+08:00"))


def consistent(services: Services) -> None:
    with services.db.read() as conn:
        assert stored(conn) == recomputed(conn)
        assert misplaced(conn) == []


def kinds(services: Services, username: str, instance_id: int) -> list[str]:
    items = list_for(services, load_actor(services, username))["items"]
    return sorted(n["kind"] for n in items if n["instance_id"] == instance_id)


def paying(services: Services) -> Journey:
    """A project whose bank signed for notice and invoice on 2026-09-25 (due 2026-11-12)."""
    at(services, "2026-09-25")
    return Journey(services).to_payment().notice_received("1000000.00", on="2026-09-25")


def _counts(services: Services) -> dict[tuple[str, str], int]:
    data = overview(services, load_actor(services, "supervisor"))
    return {(c["stage"], c["status"]): c["instances"] for c in data["counts"]}


def test_totals_follow_declaring_withdrawing_migrating_recomputing_and_the_worker(services: Services) -> None:
    at(services, "2026-09-25")
    health, admin = load_actor(services, "health_user"), load_actor(services, "admin")
    sha = files.store_file(services, health, "可研报告.pdf", PDF)["sha256"]
    declared = start_instance(services, health, "fund_project", data=support.declare(sha))
    consistent(services)
    withdrawn = Journey(services)
    withdrawn.do("health_user", "declare", support.declare(withdrawn.sha))
    withdraw(services, health, withdrawn.instance_id, "重复申报")
    consistent(services)
    late = paying(services)
    consistent(services)
    allocation = allocation_helpers.start(services)
    consistent(services)
    bpmn, forms = diagrams.with_publication(diagrams.fund_project(
        ('<bpmn:userTask id="review" name="可行性研究报告评审">'.encode(),
         '<bpmn:userTask id="review" name="可研报告评审">'.encode())))
    deploy_model(services, load_actor(services, "process_owner"), bpmn, forms, "fund_project.bpmn")
    moved = migrate_instances(services, load_actor(services, "process_owner"), "fund_project", 2)
    # The project under review and the one inside its payment period both move.
    assert [(r["instance_id"], r["ok"]) for r in moved] == [(declared["instance_id"], True), (late.instance_id, True)]
    consistent(services)
    calendar_admin.add_override(services, admin, "2026-10-20", False, "特别休息日", "测试")
    consistent(services)
    at(services, "2026-11-30")
    assert [f["instance_id"] for f in run_pass(services).fired] == [late.instance_id]
    consistent(services)
    actions.suspend(services, admin, allocation, "核对卡数")
    actions.terminate(services, admin, allocation, "重新分配")
    consistent(services)
    assert _counts(services) == {("review", "running"): 1, ("withdrawn", "withdrawn"): 1, ("payment", "running"): 1}
    (overdue,) = overview(services, load_actor(services, "supervisor"))["overdue"]["items"]
    # The day off on 10-20 moved the due day from 11-12 to 11-13; 11-30 is its 11th working day late.
    assert (overdue["instance_id"], overdue["due_date"], overdue["days_late"], overdue["overdue"]) == (
        late.instance_id, "2026-11-13", 11, True)


def test_a_suspended_project_keeps_a_true_deadline_and_its_timers_fire_only_after_resume(services: Services) -> None:
    j = paying(services)
    admin = load_actor(services, "admin")
    actions.suspend(services, admin, j.instance_id, "核查付款资料")
    calendar_admin.add_override(services, admin, "2026-10-20", False, "特别休息日", "测试")
    shown = j.show()
    assert (shown["status"], shown["stage"]) == ("suspended", "payment"), "recomputing does not resume it"
    assert [(t["name"], t["status"], t["due"]) for t in shown["open_tasks"]] == [
        ("payment", "suspended", "2026-11-13T16:00:00+00:00")]
    assert [r["element"] for r in project_diagram(services, admin, j.instance_id)["ready"]] == ["payment"]
    consistent(services)
    at(services, "2026-11-30")
    assert run_pass(services).fired == []
    assert kinds(services, "icbc_user", j.instance_id) == kinds(services, "hrss_clerk", j.instance_id) == []
    actions.resume(services, admin, j.instance_id, "资料齐全")
    assert fire_due_timers(services) == [{"instance_id": j.instance_id,
                                          "fired": ["payment_reminder_timer", "payment_timer"]}]
    assert kinds(services, "icbc_user", j.instance_id) == [], "a reminder after the deadline is not sent"
    assert kinds(services, "hrss_clerk", j.instance_id) == ["payment_overdue"]
    assert j.open_names() == ["payment", "payment_overdue"]
    consistent(services)


def test_a_terminated_project_never_fires_is_never_recomputed_and_nobody_is_reminded(services: Services) -> None:
    j = paying(services)
    admin = load_actor(services, "admin")
    actions.terminate(services, admin, j.instance_id, "合同解除")
    at(services, "2026-11-30")
    assert run_pass(services).fired == []
    assert recompute.recompute_deadlines(services, "test") == []
    assert kinds(services, "icbc_user", j.instance_id) == kinds(services, "hrss_clerk", j.instance_id) == []
    assert {t["status"] for t in j.show()["tasks"] if t["name"] == "payment"} == {"cancelled"}
    consistent(services)


def test_the_payment_reminder_goes_to_the_user_the_payment_was_reassigned_to(services: Services) -> None:
    admin = load_actor(services, "admin")
    add_user(services, admin, "icbc_cashier", "yikatong-demo-9", "何平（工商银行）", "bank-icbc", ["bank"])
    j = paying(services)
    task_id = j.task_id("payment")
    reassign(services, admin, task_id, "icbc_cashier", "专人负责付款")
    assert tasks_for(services, load_actor(services, "icbc_user")) == []
    assert [t["id"] for t in tasks_for(services, load_actor(services, "icbc_cashier"))] == [task_id]
    at(services, "2026-11-06")
    assert fire_due_timers(services) == [{"instance_id": j.instance_id, "fired": ["payment_reminder_timer"]}]
    assert kinds(services, "icbc_cashier", j.instance_id) == ["payment_reminder"]
    assert kinds(services, "icbc_user", j.instance_id) == [], "the rest of the bank can no longer pay it"
    at(services, "2026-11-13")
    fire_due_timers(services)
    assert kinds(services, "hrss_clerk", j.instance_id) == ["payment_overdue"], "the bureau's lane is unassigned"
