"""Every route through the fund project diagram, saved and restored after every step."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from engine import runtime
from engine.forms import sends_back
from engine.model import LoadedModel, load_model
from services.calendar import Calendar
from services.context import OPERATION_NAMES, operations_for
from tests import support

ROLES = {"department", "bdc", "hrss", "hrss_head", "bank"}


class Clock:
    """A hand-moved clock for the engine."""

    def __init__(self) -> None:
        self.at = datetime(2026, 9, 15, 2, 0, tzinfo=timezone.utc)

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return (self.at + timedelta(hours=8)).date()


CHINA = timezone(timedelta(hours=8))


def china(day: str, hour: int = 0) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), CHINA) + timedelta(hours=hour)


@pytest.fixture(scope="module")
def model() -> LoadedModel:
    loaded, _ = load_model(support.FUND_PROJECT.read_bytes(), support.read_forms(), operations=OPERATION_NAMES)
    return loaded


@pytest.fixture(scope="module")
def old_model() -> LoadedModel:
    """The fund project before the per-bank plans: the project itself had the plan steps."""
    loaded, _ = load_model(support.FUND_PROJECT_V1.read_bytes(), support.read_forms(), operations=OPERATION_NAMES)
    return loaded


class Drive:
    """Drives one workflow by task name, storing and restoring it after every step."""

    def __init__(self, model: LoadedModel) -> None:
        self.model, self.clock = model, Clock()
        self.engine = runtime.script_engine(self.clock.now, self.clock.today,
                                            operations_for(self.clock.today, Calendar))
        self.workflow = runtime.start(model, self.engine)
        self.roundtrip()

    def roundtrip(self) -> None:
        self.workflow = runtime.restore(self.model, runtime.dump(self.workflow), self.engine)

    def ready(self) -> list[str]:
        return sorted(t.name for t in runtime.ready_tasks(self.workflow))

    def do(self, name: str, data: dict[str, Any]) -> Drive:
        matches = [t for t in runtime.ready_tasks(self.workflow) if t.name == name]
        assert len(matches) == 1, f"{name} is not ready; ready: {self.ready()}"
        runtime.complete(self.workflow, matches[0].id, data)
        self.roundtrip()
        return self

    def data(self) -> dict[str, Any]:
        return runtime.current_data(self.workflow)

    def deliver(self, name: str, payload: dict[str, Any]) -> bool:
        delivered = runtime.deliver_message(self.workflow, name, payload)
        self.roundtrip()
        return delivered

    def through_plan(self, bank: str = "bank-icbc") -> Drive:
        self.do("declare", support.declare()).do("review", support.review())
        self.do("assign_bank", support.assign_bank(bank))
        assert self.deliver("plan_outcome", support.outcome(bank, "1150000.00"))
        return self

    def through_contract(self) -> Drive:
        if "assign_bank" in self.model.user_tasks:
            self.through_plan()
        else:
            self.do("declare", support.declare()).do("review", support.review())
            self.do("plan_prepare", support.plan_prepare()).do("plan_review", support.decision("plan_review"))
            self.do("plan_signoff", support.decision("plan_signoff")).do("secure_funds", support.SECURE_FUNDS)
        return self.do("procurement", support.PROCUREMENT).do("contract", support.CONTRACT)

    def at(self, moment: datetime) -> list[str]:
        """Move the clock to *moment*, fire what is due, store and restore; return what fired."""
        self.clock.at = moment
        fired = runtime.fire_timers(self.workflow)
        self.roundtrip()
        return fired

    def notice_received(self, amount: str, on: str = "2026-09-15") -> Drive:
        return self.do("payment_notice", support.notice(amount, on=on)).do("payment_receipt", support.receipt(on))

    def through_acceptance(self) -> Drive:
        self.through_contract().do("construction", support.CONSTRUCTION)
        self.do("acceptance", support.acceptance())
        return self.do("acceptance_bdc", support.sign("bdc")).do("acceptance_hrss", support.sign("hrss"))


def test_every_user_task_has_a_lane_a_form_and_a_stage(model: LoadedModel) -> None:
    assert len(model.user_tasks) == 13
    for task in model.user_tasks.values():
        assert task.lane in ROLES
        assert model.forms[task.form]["type"] == "object"
        assert task.stage
    assert model.start_lane == "department"


def test_approved_project_runs_to_payment_in_full(model: LoadedModel) -> None:
    drive = Drive(model).through_acceptance()
    assert drive.ready() == ["payment_notice"]
    drive.do("payment_notice", support.notice("1000000.00"))
    assert drive.ready() == ["payment_receipt"], "the bank signs for the notice and the invoice first"
    drive.do("payment_receipt", support.receipt()).do("payment", support.paid())
    assert runtime.end_status(drive.workflow) == "completed"
    assert drive.ready() == [] and runtime.next_timer(drive.workflow) is None
    assert drive.data()["paid_total"] == "1000000.00"


def test_revision_goes_back_to_the_department_then_approval_continues(model: LoadedModel) -> None:
    drive = Drive(model).do("declare", support.declare()).do("review", support.review("revise"))
    assert drive.ready() == ["declare"]
    drive.do("declare", support.declare(budget="1100000.00")).do("review", support.review())
    assert drive.ready() == ["assign_bank"]
    assert drive.data()["budget"] == "1100000.00"


def test_rejection_ends_the_instance_as_rejected(model: LoadedModel) -> None:
    drive = Drive(model).do("declare", support.declare()).do("review", support.review("reject"))
    assert drive.ready() == []
    assert runtime.end_status(drive.workflow) == "rejected"


@pytest.mark.parametrize("who", ["plan_review", "plan_signoff"])
def test_the_old_version_plan_can_be_sent_back_to_its_preparer(old_model: LoadedModel, who: str) -> None:
    model = old_model
    drive = Drive(model).do("declare", support.declare()).do("review", support.review())
    drive.do("plan_prepare", support.plan_prepare())
    if who == "plan_signoff":
        drive.do("plan_review", support.decision("plan_review"))
    drive.do(who, support.decision(who, "send_back"))
    assert drive.ready() == ["plan_prepare"]
    drive.do("plan_prepare", support.plan_prepare(bank="bank-abc"))
    drive.do("plan_review", support.decision("plan_review")).do("plan_signoff", support.decision("plan_signoff"))
    assert drive.ready() == ["secure_funds"]
    assert drive.data()["bank"] == "bank-abc"


def test_the_old_version_bank_can_return_the_plan_to_the_bureau_with_its_reason(old_model: LoadedModel) -> None:
    model = old_model
    drive = Drive(model).do("declare", support.declare()).do("review", support.review())
    drive.do("plan_prepare", support.plan_prepare()).do("plan_review", support.decision("plan_review"))
    drive.do("plan_signoff", support.decision("plan_signoff"))
    reason = "本行额度不足，请改由其他合作银行承担。"
    drive.do("secure_funds", support.funds_returned(reason))
    assert drive.ready() == ["plan_prepare"], "the bureau prepares the plan again"
    (task,) = runtime.ready_tasks(drive.workflow)
    done = runtime.done_since_previous_run(drive.workflow, task.id) or []
    (bank,) = [t for t in done if t.name == "secure_funds"]
    assert sends_back(model.forms[model.user_tasks["secure_funds"].form], bank.data) == reason
    drive.do("plan_prepare", support.plan_prepare(bank="bank-abc"))
    drive.do("plan_review", support.decision("plan_review")).do("plan_signoff", support.decision("plan_signoff"))
    assert drive.ready() == ["secure_funds"] and drive.data()["bank"] == "bank-abc"
    drive.do("secure_funds", support.SECURE_FUNDS)
    assert drive.ready() == ["procurement"]
    assert drive.data()["funds_decision"] == "confirm"


def test_the_old_version_still_runs_to_payment_in_full(old_model: LoadedModel) -> None:
    assert "plan_signoff" in old_model.user_tasks and "assign_bank" not in old_model.user_tasks
    drive = Drive(old_model).through_acceptance()
    drive.do("payment_notice", support.notice("1000000.00")).do("payment_receipt", support.receipt())
    drive.do("payment", support.paid())
    assert runtime.end_status(drive.workflow) == "completed"


def test_an_assigned_project_waits_for_its_plan_outcome_then_takes_its_values(model: LoadedModel) -> None:
    drive = Drive(model).do("declare", support.declare()).do("review", support.review())
    assert runtime.waiting_messages(drive.workflow) == []
    assert not drive.deliver("plan_outcome", support.outcome("bank-abc", "1.00")), "not waiting yet: nothing moves"
    assert drive.ready() == ["assign_bank"]
    drive.do("assign_bank", support.assign_bank("bank-icbc", plan_amount="1000000.00"))
    assert drive.ready() == [] and runtime.waiting_messages(drive.workflow) == ["plan_outcome"]
    assert not drive.deliver("another_message", {}), "a message the project does not wait for changes nothing"
    assert runtime.waiting_messages(drive.workflow) == ["plan_outcome"]
    assert drive.deliver("plan_outcome", support.outcome("bank-abc", "900000.00", number=2, plan=77))
    assert drive.ready() == ["procurement"] and runtime.waiting_messages(drive.workflow) == []
    data = drive.data()
    assert (data["bank"], data["plan_amount"]) == ("bank-abc", "900000.00")
    assert data["plan_outcome"]["plan_number"] == 2 and data["plan_outcome"]["plan_instance_id"] == 77
    assert not drive.deliver("plan_outcome", support.outcome("bank-icbc", "1.00")), "delivered once only"
    assert drive.data()["bank"] == "bank-abc"


@pytest.mark.parametrize("order", [("bdc", "hrss"), ("hrss", "bdc")])
def test_failed_acceptance_goes_back_to_construction(model: LoadedModel, order: tuple[str, str]) -> None:
    drive = Drive(model).through_contract().do("construction", support.CONSTRUCTION)
    drive.do("acceptance", support.acceptance(passed=False))
    assert drive.ready() == ["construction"]
    drive.do("construction", support.CONSTRUCTION).do("acceptance", support.acceptance())
    assert drive.ready() == ["acceptance_bdc", "acceptance_hrss"]
    drive.do(f"acceptance_{order[0]}", support.sign(order[0], passed=order[0] == "hrss"))
    drive.do(f"acceptance_{order[1]}", support.sign(order[1], passed=order[1] == "hrss"))
    assert drive.ready() == ["construction"]
    drive.do("construction", support.CONSTRUCTION).do("acceptance", support.acceptance())
    drive.do(f"acceptance_{order[1]}", support.sign(order[1]))
    assert drive.ready() == [f"acceptance_{order[0]}"], "the join must wait for both signatures"
    drive.do(f"acceptance_{order[0]}", support.sign(order[0]))
    assert drive.ready() == ["payment_notice"]


def test_two_instalments_pay_the_contract_in_full_each_with_its_own_clock(model: LoadedModel) -> None:
    drive = Drive(model).through_acceptance().notice_received("600000.00")
    assert drive.data()["payment_due"]["due_date"] == "2026-11-02"
    drive.do("payment", support.paid())
    assert drive.ready() == ["payment_notice"] and runtime.next_timer(drive.workflow) is None
    assert drive.data()["paid_total"] == "600000.00"
    drive.notice_received("400000.00", on="2026-10-08")
    assert drive.data()["payment_due"]["due_date"] == "2026-11-18"
    assert runtime.next_timer(drive.workflow) == china("2026-11-12"), "the second clock's reminder"
    drive.do("payment", support.paid("2026-10-12", "TX0002"))
    assert runtime.end_status(drive.workflow) == "completed"
    assert drive.data()["paid_total"] == "1000000.00"


def test_the_payment_clock_counts_thirty_working_days_after_receipt(model: LoadedModel) -> None:
    drive = Drive(model).through_acceptance().notice_received("1000000.00", on="2026-09-25")
    clock = drive.data()["payment_due"]
    assert clock == {"received_on": "2026-09-25", "due_date": "2026-11-12", "timer": "2026-11-13T00:00:00+08:00",
                     "remind_timer": "2026-11-06T00:00:00+08:00", "provisional": False}
    assert runtime.next_timer(drive.workflow) == china("2026-11-06")


def test_the_bank_is_reminded_at_five_working_days_left(model: LoadedModel) -> None:
    drive = Drive(model).through_acceptance().notice_received("1000000.00", on="2026-09-25")
    assert drive.at(china("2026-11-05", 23)) == []
    assert drive.at(china("2026-11-06", 1)) == ["payment_reminder_timer"]
    assert drive.ready() == ["payment"]
    assert drive.at(china("2026-11-06", 2)) == [], "a reminder fires once"
    assert runtime.next_timer(drive.workflow) == china("2026-11-13")
    drive.do("payment", support.paid("2026-11-10"))
    assert runtime.end_status(drive.workflow) == "completed" and runtime.next_timer(drive.workflow) is None


def test_an_unpaid_notice_escalates_every_five_working_days_until_the_bank_pays(model: LoadedModel) -> None:
    drive = Drive(model).through_acceptance().notice_received("1000000.00", on="2026-09-25")
    assert drive.at(china("2026-11-13", 1)) == ["payment_reminder_timer", "payment_timer"]
    assert drive.ready() == ["payment", "payment_overdue"]
    assert runtime.next_timer(drive.workflow) == china("2026-11-19"), "5 working days after the due day"
    assert drive.at(china("2026-11-18", 23)) == []
    assert drive.at(china("2026-11-19", 1)) == ["payment_escalation_timer"]
    assert runtime.next_timer(drive.workflow) == china("2026-11-26")
    drive.do("payment_overdue", support.OVERDUE)
    assert drive.ready() == ["payment"]
    assert drive.at(china("2026-11-26", 1)) == ["payment_escalation_timer"]
    assert drive.ready() == ["payment"], "one follow-up task per instalment; escalations repeat as events"
    drive.do("payment", support.paid("2026-11-27"))
    assert runtime.end_status(drive.workflow) == "completed"
    assert runtime.next_timer(drive.workflow) is None and drive.ready() == []


def test_paying_late_cancels_an_open_follow_up_and_the_next_instalment_starts_afresh(model: LoadedModel) -> None:
    drive = Drive(model).through_acceptance().notice_received("600000.00", on="2026-09-25")
    drive.at(china("2026-11-13", 1))
    assert drive.ready() == ["payment", "payment_overdue"]
    drive.do("payment", support.paid("2026-11-16"))
    assert drive.ready() == ["payment_notice"], "the bureau's open follow-up is cancelled once the bank pays"
    assert runtime.next_timer(drive.workflow) is None
    assert drive.at(china("2026-11-20", 9)) == []
    drive.notice_received("400000.00", on="2026-11-20")
    assert drive.data()["payment_due"]["due_date"] == "2027-01-04"  # 2027-01-01 is New Year's Day
    assert drive.data()["payment_due"]["provisional"] is True
    assert drive.ready() == ["payment"]


def test_paying_in_time_cancels_the_timers(model: LoadedModel) -> None:
    drive = Drive(model).through_acceptance().notice_received("600000.00")
    drive.do("payment", support.paid())
    assert runtime.next_timer(drive.workflow) is None
    assert drive.at(drive.clock.at + timedelta(days=60)) == []
    assert drive.ready() == ["payment_notice"]


def test_stored_state_leaves_the_spec_out(model: LoadedModel) -> None:
    drive = Drive(model).through_contract()
    state = runtime.dump(drive.workflow)
    assert b'"spec"' not in state and b"task_specs" not in state
