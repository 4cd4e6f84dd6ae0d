"""Every route through the per-bank fund plan diagram, saved and restored after every step."""
from __future__ import annotations

from typing import Any

import pytest

from engine import runtime
from engine.forms import sends_back
from engine.model import LoadedModel, load_model
from services.context import OPERATION_NAMES
from tests import support
from tests.engine.test_fund_project_routes import Drive

BANK = {"bank": "bank-icbc", "plan_year": 2026, "plan_number": 1}


@pytest.fixture(scope="module")
def plan_model() -> LoadedModel:
    loaded, _ = load_model(support.FUND_PLAN.read_bytes(), support.read_forms(support.FUND_PLAN),
                           operations=OPERATION_NAMES)
    return loaded


class PlanDrive(Drive):
    """Drives one plan instance, started as the host starts it (with its bank)."""

    def __init__(self, model: LoadedModel) -> None:
        super().__init__(model)
        self.workflow = runtime.start(model, self.engine, BANK)
        self.roundtrip()

    def prepared(self, **data: Any) -> PlanDrive:
        self.do("plan_prepare", {"plan_prepare_note": "第一批", **data})
        return self

    def signed(self) -> PlanDrive:
        self.prepared().do("plan_review", support.decision("plan_review"))
        self.do("plan_signoff", support.decision("plan_signoff"))
        return self

    def reason_shown_on_prepare(self, step: str) -> str | None:
        (task,) = runtime.ready_tasks(self.workflow)
        assert task.name == "plan_prepare"
        done = runtime.done_since_previous_run(self.workflow, task.id) or []
        (sender,) = [t for t in done if t.name == step]
        return sends_back(self.model.forms[self.model.user_tasks[step].form], sender.data)


def test_the_plan_has_three_bureau_steps_and_the_bank_step_in_their_lanes(plan_model: LoadedModel) -> None:
    lanes = {name: info.lane for name, info in plan_model.user_tasks.items()}
    assert lanes == {"plan_prepare": "hrss", "plan_review": "hrss", "plan_signoff": "hrss_head",
                     "bank_confirm": "bank"}
    assert plan_model.start_lane == "hrss"
    assert plan_model.user_tasks["plan_signoff"].properties["separateFrom"] == "plan_prepare,plan_review"
    assert plan_model.user_tasks["plan_review"].properties["separateFrom"] == "plan_prepare"


def test_prepared_reviewed_signed_and_confirmed_ends_the_plan(plan_model: LoadedModel) -> None:
    drive = PlanDrive(plan_model)
    assert drive.ready() == ["plan_prepare"]
    drive.prepared()
    assert drive.ready() == ["plan_review"]
    drive.do("plan_review", support.decision("plan_review"))
    assert drive.ready() == ["plan_signoff"]
    drive.do("plan_signoff", support.decision("plan_signoff"))
    assert drive.ready() == ["bank_confirm"]
    drive.do("bank_confirm", support.SECURE_FUNDS)
    assert drive.ready() == [] and runtime.end_status(drive.workflow) == "completed"
    assert drive.data()["bank"] == "bank-icbc" and drive.data()["funds_decision"] == "confirm"


@pytest.mark.parametrize("who", ["plan_review", "plan_signoff"])
def test_review_or_signoff_sends_the_plan_back_to_its_preparer_with_the_reason(plan_model: LoadedModel,
                                                                                 who: str) -> None:
    drive = PlanDrive(plan_model).prepared()
    if who == "plan_signoff":
        drive.do("plan_review", support.decision("plan_review"))
    drive.do(who, support.decision(who, "send_back", "第3项预算金额有误。"))
    assert drive.ready() == ["plan_prepare"]
    assert drive.reason_shown_on_prepare(who) == "第3项预算金额有误。"
    drive.signed()
    assert drive.ready() == ["bank_confirm"]


def test_the_bank_returns_the_plan_with_its_objection_and_it_runs_again(plan_model: LoadedModel) -> None:
    drive = PlanDrive(plan_model).signed()
    objection = "本行额度不足，请调整计划表。"
    drive.do("bank_confirm", support.funds_returned(objection))
    assert drive.ready() == ["plan_prepare"] and runtime.end_status(drive.workflow) is None
    assert drive.reason_shown_on_prepare("bank_confirm") == objection
    drive.signed().do("bank_confirm", support.SECURE_FUNDS)
    assert runtime.end_status(drive.workflow) == "completed"


def test_a_plan_waits_for_no_message(plan_model: LoadedModel) -> None:
    drive = PlanDrive(plan_model)
    assert runtime.waiting_messages(drive.workflow) == []
    assert not drive.deliver("plan_outcome", support.outcome("bank-icbc", "1.00"))
    assert drive.ready() == ["plan_prepare"]
