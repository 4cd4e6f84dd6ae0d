"""Moving a fund project to a newer diagram while it is inside (or past) its payment sub-process."""
from __future__ import annotations

import pytest

from bpmn import DIAGRAMS_DIR
from engine import runtime
from engine.migration import Migration, Version, plan_migration
from engine.model import LoadedModel, load_model
from engine.xmlsafe import parse_xml
from services.context import OPERATION_NAMES
from tests import diagrams, support
from tests.engine.test_fund_project_routes import Drive, china

PRICE = support.PROCUREMENT["contract_price"]
FOLLOW_UP = {"overdue_follow_up": "已电话督促合作银行", "overdue_contacted_on": "2026-11-03"}


SOURCES: dict[int, tuple[LoadedModel, bytes]] = {}  # each loaded model's diagram, by the model's id()


def load(bpmn: bytes, forms: dict[str, bytes] | None = None) -> LoadedModel:
    model = load_model(bpmn, forms or support.read_forms(), operations=OPERATION_NAMES)[0]
    SOURCES[id(model)] = (model, bpmn)
    return model


def version(model: LoadedModel) -> Version:
    return Version(model, parse_xml(SOURCES[id(model)][1]))


@pytest.fixture(scope="module")
def old() -> LoadedModel:
    return load(support.FUND_PROJECT.read_bytes())


@pytest.fixture(scope="module")
def archived() -> tuple[LoadedModel, bytes]:
    bpmn, forms = diagrams.with_payment_archive()
    return load(bpmn, forms), bpmn


def move(drive: Drive, new: LoadedModel, bpmn: bytes) -> Migration:
    """Plan the move of the drive's stored workflow; on success the drive continues on the new version."""
    plan = plan_migration(version(drive.model), runtime.dump(drive.workflow), Version(new, parse_xml(bpmn)),
                          drive.engine)
    if plan.ok:
        assert plan.workflow is not None
        drive.model, drive.workflow = new, plan.workflow
        drive.roundtrip()
    return plan


def ready_ids(drive: Drive) -> dict[str, str]:
    return {t.name: t.id for t in runtime.ready_tasks(drive.workflow)}


def in_period(old: LoadedModel, amount: str = PRICE) -> Drive:
    return Drive(old).through_acceptance().notice_received(amount)


def overdue(old: LoadedModel, amount: str = PRICE) -> Drive:
    """A project past its payment deadline: the bank's payment and the bureau's follow-up are open."""
    drive = in_period(old, amount)
    drive.at(china("2026-11-03", 1))
    assert drive.ready() == ["payment", "payment_overdue"]
    return drive


def refusal(plan: Migration) -> tuple[bool, str | None]:
    return plan.ok, plan.code


def test_a_project_inside_its_payment_period_moves_keeps_its_step_and_pays_to_the_end(
        old: LoadedModel, archived: tuple[LoadedModel, bytes]) -> None:
    drive = in_period(old)
    before, timer = ready_ids(drive), runtime.next_timer(drive.workflow)
    data = drive.data()
    plan = move(drive, *archived)
    assert (plan.ok, plan.reason) == (True, None)
    assert ready_ids(drive) == before and runtime.next_timer(drive.workflow) == timer
    assert drive.data() == data
    assert drive.workflow.get_tasks(spec_name="payment")[0].task_spec.bpmn_name == "确认付款（合作银行）"
    drive.do("payment", {**support.paid("2026-09-20"), "payment_note": "一次付清"})
    assert drive.ready() == ["payment_archive"], "the step added after the sub-process is not skipped"
    drive.do("payment_archive", {"archive_no": "GD-1"})
    assert runtime.end_status(drive.workflow) == "completed"
    assert drive.data()["payment_note"] == "一次付清" and drive.data()["archive_no"] == "GD-1"


def test_an_overdue_project_moves_with_its_follow_up_and_its_escalation_clock(
        old: LoadedModel, archived: tuple[LoadedModel, bytes]) -> None:
    drive = overdue(old)
    before, escalation = ready_ids(drive), runtime.next_timer(drive.workflow)
    assert move(drive, *archived).ok
    assert ready_ids(drive) == before and runtime.next_timer(drive.workflow) == escalation
    assert drive.at(escalation) == ["payment_escalation_timer"]
    drive.do("payment_overdue", FOLLOW_UP).do("payment", support.paid("2026-11-20"))
    assert drive.ready() == ["payment_archive"] and runtime.next_timer(drive.workflow) is None
    drive.do("payment_archive", {})
    assert runtime.end_status(drive.workflow) == "completed"


def test_a_project_past_its_first_instalment_moves_with_that_finished_payment_period(
        old: LoadedModel, archived: tuple[LoadedModel, bytes]) -> None:
    drive = in_period(old, "400000.00").do("payment", support.paid("2026-09-20"))
    assert drive.ready() == ["payment_notice"] and len(drive.workflow.subprocesses) == 1
    assert move(drive, *archived).ok
    drive.notice_received("600000.00", on="2026-09-25").do("payment", support.paid("2026-09-28"))
    drive.do("payment_archive", {})
    assert runtime.end_status(drive.workflow) == "completed" and str(drive.data()["paid_total"]) == PRICE


def without_follow_up() -> tuple[LoadedModel, bytes]:
    bpmn = diagrams.remove_user_task(support.FUND_PROJECT.read_bytes(), "payment_overdue")
    return load(bpmn), bpmn


def test_a_project_whose_open_follow_up_is_gone_in_the_new_version_stays(old: LoadedModel) -> None:
    drive = overdue(old)
    plan = move(drive, *without_follow_up())
    assert refusal(plan) == (False, "task-missing") and "付款逾期督办" in (plan.reason or "")
    assert drive.model is old


def test_a_project_whose_finished_follow_up_was_removed_stays(old: LoadedModel) -> None:
    live = overdue(old).do("payment_overdue", FOLLOW_UP)
    finished = overdue(old, "400000.00").do("payment_overdue", FOLLOW_UP).do("payment", support.paid("2026-11-03"))
    assert finished.ready() == ["payment_notice"], "the follow-up is history of a finished payment period"
    new = without_follow_up()
    for drive in (live, finished):
        plan = move(drive, *new)
        assert refusal(plan) == (False, "history-missing") and "付款逾期督办" in (plan.reason or "")


def test_a_value_the_new_payment_period_reads_must_be_there(old: LoadedModel) -> None:
    bpmn = diagrams.fund_project((b'value="payment_due[&quot;received_on&quot;]"', b'value="bank_received_on"'))
    plan = move(in_period(old), load(bpmn), bpmn)
    assert refusal(plan) == (False, "value-missing") and "bank_received_on" in (plan.reason or "")
    reads_known = diagrams.fund_project((b'value="payment_due[&quot;received_on&quot;]"', b'value="received_on"'))
    assert move(in_period(old), load(reads_known), reads_known).ok, "the project's data has received_on"


def test_a_project_in_a_payment_period_the_new_version_no_longer_has_stays(old: LoadedModel) -> None:
    bpmn = diagrams.rename_payment_period()
    plan = move(in_period(old), load(bpmn), bpmn)
    assert refusal(plan) == (False, "subprocess-missing") and "付款期限内支付" in (plan.reason or "")
    paid_once = in_period(old, "400000.00").do("payment", support.paid("2026-09-20"))
    assert refusal(move(paid_once, load(bpmn), bpmn)) == (False, "subprocess-missing")
    assert move(Drive(old).through_contract(), load(bpmn), bpmn).ok


def test_a_project_with_a_timer_due_but_not_fired_waits_for_the_worker(
        old: LoadedModel, archived: tuple[LoadedModel, bytes]) -> None:
    drive = in_period(old)
    due = runtime.next_timer(drive.workflow)
    assert due is not None
    drive.clock.at = due
    plan = move(drive, *archived)
    assert refusal(plan) == (False, "timer-due") and drive.ready() == ["payment"]
    assert drive.at(due) == ["payment_reminder_timer"]
    assert move(drive, *archived).ok


def test_a_workflow_inside_a_sub_process_within_a_sub_process_moves_and_takes_the_new_steps_after_each() -> None:
    drive = Drive(load(diagrams.nested(), diagrams.FORMS))
    assert drive.ready() == ["ask"] and len(drive.workflow.subprocesses) == 2
    asked = ready_ids(drive)
    bpmn = diagrams.nested(after_inner="after_inner", after_outer="after_outer")
    assert move(drive, load(bpmn, diagrams.FORMS), bpmn).ok
    assert ready_ids(drive) == asked
    drive.do("ask", {"approved": True})
    assert drive.ready() == ["after_inner"]
    drive.do("after_inner", {"approved": True})
    assert drive.ready() == ["after_outer"]
    drive.do("after_outer", {"approved": True})
    assert drive.workflow.completed


def test_a_workflow_inside_a_multi_instance_sub_process_stays_and_is_told_why() -> None:
    drive = Drive(load(diagrams.nested(instances=2), diagrams.FORMS))
    assert drive.ready() == ["ask"]
    bpmn = diagrams.nested(after_outer="after_outer", instances=2)
    plan = move(drive, load(bpmn, diagrams.FORMS), bpmn)
    assert refusal(plan) == (False, "multi-instance") and "Outer" in (plan.reason or "")
    drive.do("ask", {"approved": True})
    assert drive.ready() == ["ask"], "the second instance runs on the version it started on"


def test_a_workflow_inside_an_event_sub_process_moves_and_finishes_both_branches() -> None:
    drive = Drive(load(diagrams.with_event_subprocess(), diagrams.FORMS))
    assert drive.at(china("2026-09-15", 12)) == ["ev_start"]
    assert drive.ready() == ["chase", "first"] and len(drive.workflow.subprocesses) == 1
    opened = ready_ids(drive)
    bpmn = diagrams.with_event_subprocess(second="second")
    assert move(drive, load(bpmn, diagrams.FORMS), bpmn).ok
    assert ready_ids(drive) == opened
    drive.do("chase", {"approved": True}).do("first", {"approved": True})
    assert drive.ready() == ["second"], "the step the new version adds is taken"
    drive.do("second", {"approved": True})
    assert drive.workflow.completed


def with_script(bpmn: bytes, flow: str, task: str, script: str) -> bytes:
    """Return the engine-only diagram *bpmn* with a script task *task* running *script* placed on *flow*."""
    text = bpmn.decode()
    start = text.index(f'<bpmn:sequenceFlow id="{flow}" ')
    end = text.index("/>", start) + 2
    source = text[start:end].split('sourceRef="')[1].split('"')[0]
    target = text[start:end].split('targetRef="')[1].split('"')[0]
    placed = (f'<bpmn:scriptTask id="{task}"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>'
              f'<bpmn:sequenceFlow id="{flow}" sourceRef="{source}" targetRef="{task}"/>'
              f'<bpmn:sequenceFlow id="{flow}_on" sourceRef="{task}" targetRef="{target}"/>')
    text = text[:start] + placed + text[end:]
    return text.replace("</bpmn:lane>", f"<bpmn:flowNodeRef>{task}</bpmn:flowNodeRef></bpmn:lane>").encode()


def test_values_are_looked_for_from_where_the_sub_process_stands_and_in_its_own_data() -> None:
    drive = Drive(load(diagrams.nested(after_inner="after_inner"), diagrams.FORMS))
    drive.do("ask", {"approved": True, "ask_note": "核对无误"})  # ask_note: a value no form of the diagram fills in
    assert drive.ready() == ["after_inner"] and "ask_note" not in drive.workflow.get_tasks(spec_name="outer")[0].data
    behind = with_script(diagrams.nested(after_inner="after_inner"), "i1", "prepare", "risk = risk_level")
    assert move(drive, load(behind, diagrams.FORMS), behind).ok, "a step already passed reads nothing from now on"
    reads_answer = with_script(behind, "f2", "verdict", "verdict = ask_note")
    assert move(drive, load(reads_answer, diagrams.FORMS), reads_answer).ok, "the sub-process's data has ask_note"
    reads_unknown = with_script(reads_answer, "f2_on", "rating", "rating = credit_rating")
    plan = move(drive, load(reads_unknown, diagrams.FORMS), reads_unknown)
    assert refusal(plan) == (False, "value-missing") and "credit_rating" in (plan.reason or "")
    assert "risk_level" not in (plan.reason or "")
    drive.do("after_inner", {"approved": False})
    assert drive.workflow.completed and drive.data()["verdict"] == "核对无误"


def test_a_deadline_moved_by_new_calendar_data_is_kept_and_not_fired_by_the_move(
        old: LoadedModel, archived: tuple[LoadedModel, bytes]) -> None:
    drive = in_period(old)
    assert drive.at(china("2026-10-28")) == ["payment_reminder_timer"]
    later = china("2026-11-04").isoformat()  # a day off was added: the deadline moved from 11-03 to 11-04

    def moved(data: dict[str, object]) -> dict[str, object] | None:
        due = data.get("payment_due")
        return {"payment_due": {**due, "timer": later}} if isinstance(due, dict) else None

    assert runtime.update_open_data(drive.workflow, moved) > 0
    drive.roundtrip()
    drive.clock.at = china("2026-11-03", 12)  # after the old deadline, before the new one
    assert runtime.next_timer(drive.workflow) == china("2026-11-04")
    assert move(drive, *archived).ok
    assert drive.ready() == ["payment"], "the follow-up waits for the moved deadline"
    assert runtime.next_timer(drive.workflow) == china("2026-11-04")
    assert drive.at(china("2026-11-04", 1)) == ["payment_timer"]
    assert drive.ready() == ["payment", "payment_overdue"]


RECONCILIATION = DIAGRAMS_DIR / "reconciliation.bpmn"


def reconciliation(*edits: tuple[str, str], forms: dict[str, bytes] | None = None) -> tuple[LoadedModel, bytes]:
    text = RECONCILIATION.read_text(encoding="utf-8")
    for before, after in edits:
        assert before in text
        text = text.replace(before, after)
    bpmn = text.encode()
    return load(bpmn, forms or support.read_forms(RECONCILIATION)), bpmn


def test_values_the_old_version_reads_from_outside_the_diagram_or_a_loop_item_do_not_hold_a_move() -> None:
    """At the bank's report, the rest reads the system's figures (put in by a hook when the bank reports)
    and each explanation's `difference` (the loop's item): neither is produced by a step of the diagram."""
    old = reconciliation()[0]
    relabelled = reconciliation(('name="报送持卡数量和支付金额"', 'name="报送持卡数量与支付金额"'))
    assert move(Drive(old), *relabelled).ok
    gap_forms = support.read_forms(RECONCILIATION)
    explain = "reconciliation_bank_explain.json"
    gap_forms[explain] = gap_forms[explain].replace(b'difference[\\"', b'gap[\\"')
    assert gap_forms[explain] != support.read_forms(RECONCILIATION)[explain]
    renamed_item = reconciliation(('<bpmn:inputDataItem id="difference" name="difference"/>',
                                   '<bpmn:inputDataItem id="gap" name="gap"/>'),
                                  ('explained_line = {"line": difference["line"], "label": difference["label"], '
                                   '"reported": difference["reported"], "recorded": difference["recorded"], '
                                   '"difference": difference["difference"]',
                                   'explained_line = {"line": gap["line"], "label": gap["label"], '
                                   '"reported": gap["reported"], "recorded": gap["recorded"], '
                                   '"difference": gap["difference"]'),
                                  forms=gap_forms)
    assert move(Drive(old), *renamed_item).ok, "gap is the new loop's own item"


def test_a_value_only_the_new_version_reads_and_nothing_provides_still_holds_the_move() -> None:
    old = reconciliation()[0]
    flagged = reconciliation(("<bpmn:conditionExpression>difference_count == 0</bpmn:conditionExpression>",
                              "<bpmn:conditionExpression>difference_count == 0 and not audit_flag"
                              "</bpmn:conditionExpression>"))
    plan = move(Drive(old), *flagged)
    assert refusal(plan) == (False, "value-missing")
    assert "audit_flag" in (plan.reason or "") and "recorded_card_count" not in (plan.reason or "")
    outside_item = reconciliation(("<bpmn:conditionExpression>difference_count == 0</bpmn:conditionExpression>",
                                   "<bpmn:conditionExpression>difference_count == 0 or explained_line"
                                   "</bpmn:conditionExpression>"))
    plan = move(Drive(old), *outside_item)
    assert refusal(plan) == (False, "value-missing") and "explained_line" in (plan.reason or "")
