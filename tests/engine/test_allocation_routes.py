"""Every route through the allocation diagram, saved and restored after every step."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pytest

from bpmn import DIAGRAMS_DIR
from engine import runtime
from engine.forms import form_patch
from engine.model import LoadedModel, load_model
from services.context import OPERATION_NAMES, operations_for
from tests import support

ALLOCATION = DIAGRAMS_DIR / "allocation.bpmn"
SETUP = {"allocation_year": 2027, "allocation_pool": "1000000.00",
         "card_counts": [{"bank": "bank-icbc", "card_count": 520000}, {"bank": "bank-abc", "card_count": 310000},
                         {"bank": "bank-trcb", "card_count": 170000}]}
CONFIRM = {"card_count_decision": "confirm"}


@pytest.fixture(scope="module")
def model() -> LoadedModel:
    loaded, _ = load_model(ALLOCATION.read_bytes(), support.read_forms(ALLOCATION), OPERATION_NAMES)
    return loaded


class Drive:
    """Drives one allocation by task name and bank, storing and restoring it after every step."""

    def __init__(self, model: LoadedModel) -> None:
        now = datetime(2027, 1, 5, 2, 0, tzinfo=timezone.utc)
        self.model = model
        self.engine = runtime.script_engine(lambda: now, lambda: date(2027, 1, 5), operations_for(lambda: now.date()))
        self.workflow = runtime.start(model, self.engine)
        self.roundtrip()

    def roundtrip(self) -> None:
        self.workflow = runtime.restore(self.model, runtime.dump(self.workflow), self.engine)

    def ready(self) -> list[tuple[str, str | None]]:
        return sorted((t.name, (t.data.get("bank_row") or {}).get("bank")) for t in runtime.ready_tasks(self.workflow))

    def do(self, name: str, data: dict[str, Any], bank: str | None = None) -> Drive:
        matches = [t for t in runtime.ready_tasks(self.workflow)
                   if t.name == name and (bank is None or t.data["bank_row"]["bank"] == bank)]
        assert len(matches) == 1, f"{name} {bank} is not ready; ready: {self.ready()}"
        runtime.complete(self.workflow, matches[0].id, data)
        self.roundtrip()
        return self

    def confirm_all(self, banks: list[str]) -> Drive:
        for bank in banks:
            self.do("bank_confirm", CONFIRM, bank)
        return self

    def data(self) -> dict[str, Any]:
        return runtime.current_data(self.workflow)


def shares(drive: Drive) -> dict[str, str]:
    return {row["bank"]: row["share"] for row in drive.data()["allocation_preview"]}


def test_the_diagram_has_three_roles_and_starts_with_the_bureau(model: LoadedModel) -> None:
    assert {t.name: t.lane for t in model.user_tasks.values()} == {
        "allocation_setup": "hrss", "bank_confirm": "bank", "allocation_approve": "hrss_head"}
    assert model.user_tasks["bank_confirm"].properties["orgFrom"] == "bank_row.bank"
    assert model.start_lane == "hrss"


def test_every_bank_confirms_and_the_head_approves(model: LoadedModel) -> None:
    drive = Drive(model).do("allocation_setup", SETUP)
    assert drive.ready() == [("bank_confirm", "bank-abc"), ("bank_confirm", "bank-icbc"), ("bank_confirm", "bank-trcb")]
    drive.confirm_all(["bank-trcb", "bank-icbc"])
    assert drive.ready() == [("bank_confirm", "bank-abc")], "the head waits for every bank"
    drive.confirm_all(["bank-abc"])
    assert drive.ready() == [("allocation_approve", None)]
    assert shares(drive) == {"bank-abc": "310000.00", "bank-icbc": "520000.00", "bank-trcb": "170000.00"}
    drive.do("allocation_approve", {"allocation_decision": "approve"})
    assert drive.ready() == [] and runtime.end_status(drive.workflow) == "completed"


def test_a_bank_corrects_its_count_and_the_shares_follow(model: LoadedModel) -> None:
    drive = Drive(model).do("allocation_setup", {**SETUP, "allocation_pool": "100.00",
                                                 "card_counts": SETUP["card_counts"][:2]})
    drive.do("bank_confirm", {"card_count_decision": "correct", "corrected_count": 170000,
                              "correction_note": "按社保卡系统年末口径重新统计。"}, "bank-abc")
    drive.confirm_all(["bank-icbc"])
    rows = {row["bank"]: row for row in drive.data()["allocation_preview"]}
    assert rows["bank-abc"] == {"bank": "bank-abc", "reported_count": 310000, "card_count": 170000,
                                "note": "按社保卡系统年末口径重新统计。", "share": "24.64"}
    assert rows["bank-icbc"]["share"] == "75.36"
    assert sum(float(r["share"]) for r in rows.values()) == pytest.approx(100)


def test_the_head_sends_back_then_approves_the_revised_figures(model: LoadedModel) -> None:
    drive = Drive(model).do("allocation_setup", SETUP).confirm_all(["bank-abc", "bank-icbc", "bank-trcb"])
    drive.do("allocation_approve", {"allocation_decision": "send_back", "allocation_comment": "总额有误。"})
    assert drive.ready() == [("allocation_setup", None)]
    assert drive.data()["allocation_comment"] == "总额有误。"
    drive.do("allocation_setup", {**SETUP, "allocation_pool": "900000.00", "card_counts": SETUP["card_counts"][:2]})
    assert drive.ready() == [("bank_confirm", "bank-abc"), ("bank_confirm", "bank-icbc")]
    drive.confirm_all(["bank-icbc", "bank-abc"])
    assert shares(drive) == {"bank-abc": "336144.58", "bank-icbc": "563855.42"}
    assert len(drive.data()["confirmed_counts"]) == 2, "the first pass's confirmations are not carried over"
    drive.do("allocation_approve", {"allocation_decision": "approve"})
    assert runtime.end_status(drive.workflow) == "completed"


def test_a_banks_form_shows_its_own_figure_and_no_other_banks(model: LoadedModel) -> None:
    drive = Drive(model).do("allocation_setup", SETUP)
    task = next(t for t in runtime.ready_tasks(drive.workflow) if t.data["bank_row"]["bank"] == "bank-abc")
    patch = form_patch(model.forms["bank_confirm.json"], task.data, drive.engine.environment.evaluator)
    assert patch == {"/properties/allocation_year/default": 2027, "/properties/bank/default": "bank-abc",
                     "/properties/reported_count/default": 310000}
