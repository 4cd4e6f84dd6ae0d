"""Every route through the reconciliation diagram, saved and restored after every step."""
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

RECONCILIATION = DIAGRAMS_DIR / "reconciliation.bpmn"
INITIAL = {"bank": "bank-icbc", "bank_name": "中国工商银行太仓分行", "reconciliation_period": "2026Q3", "reported_lines": []}
RECORDED = {"recorded_card_count": 412356, "recorded_card_source": "2026年度分配所依据的2025年末持卡数量",
            "recorded_paid_total": "150000.00",
            "recorded_lines": [{"project_id": 7, "title": "公交乘车改造", "amount": "100000.00"},
                               {"project_id": 9, "title": "图书借阅", "amount": "50000.00"}]}
MATCHING = {"reported_card_count": 412356, "reported_paid_total": "150000.00",
            "reported_lines": [{"project_id": 7, "amount": "100000.00"}, {"project_id": 9, "amount": "50000.00"}]}


@pytest.fixture(scope="module")
def model() -> LoadedModel:
    loaded, _ = load_model(RECONCILIATION.read_bytes(), support.read_forms(RECONCILIATION), OPERATION_NAMES)
    return loaded


class Drive:
    """Drives one reconciliation by task name, storing and restoring it after every step."""

    def __init__(self, model: LoadedModel) -> None:
        now = datetime(2026, 10, 9, 2, 0, tzinfo=timezone.utc)
        self.model = model
        self.engine = runtime.script_engine(lambda: now, lambda: date(2026, 10, 9), operations_for(lambda: now.date()))
        self.workflow = runtime.start(model, self.engine, dict(INITIAL))
        self.roundtrip()

    def roundtrip(self) -> None:
        self.workflow = runtime.restore(self.model, runtime.dump(self.workflow), self.engine)

    def ready(self) -> list[tuple[str, Any]]:
        def line(t: Any) -> Any:
            item = t.data.get("difference") or t.data.get("explained") or {}
            return item.get("line")
        return sorted((t.name, line(t)) for t in runtime.ready_tasks(self.workflow))

    def task(self, name: str, line: int | None = None) -> Any:
        matches = [t for t in runtime.ready_tasks(self.workflow) if t.name == name and (
            line is None or (t.data.get("difference") or t.data.get("explained"))["line"] == line)]
        assert len(matches) == 1, f"{name} {line} is not ready; ready: {self.ready()}"
        return matches[0]

    def do(self, name: str, data: dict[str, Any], line: int | None = None) -> Drive:
        runtime.complete(self.workflow, self.task(name, line).id, data)
        self.roundtrip()
        return self

    def report(self, report: dict[str, Any], recorded: dict[str, Any] = RECORDED) -> Drive:
        """The bank's report with the figures the host adds in the same transaction."""
        return self.do("bank_report", {**report, **recorded})

    def data(self) -> dict[str, Any]:
        return runtime.current_data(self.workflow)


def test_the_diagram_starts_with_the_bureau_and_scopes_the_bank_tasks(model: LoadedModel) -> None:
    assert {t.name: t.lane for t in model.user_tasks.values()} == {
        "bank_report": "bank", "bank_explain": "bank", "bureau_close": "hrss"}
    assert model.user_tasks["bank_report"].properties["orgFrom"] == "bank"
    assert model.user_tasks["bank_explain"].properties["orgFrom"] == "bank"
    assert model.start_lane == "hrss"


def test_no_differences_close_the_reconciliation_directly(model: LoadedModel) -> None:
    drive = Drive(model)
    assert drive.ready() == [("bank_report", None)]
    drive.report(MATCHING)
    assert runtime.end_status(drive.workflow) == "completed"
    assert drive.ready() == []
    data = drive.data()
    assert data["difference_count"] == 0
    assert [(line["kind"], line["reported"], line["recorded"], line["differs"]) for line in data["reconciliation_lines"]] == [
        ("card_count", 412356, 412356, False), ("paid_total", "150000.00", "150000.00", False),
        ("paid_project", "100000.00", "100000.00", False), ("paid_project", "50000.00", "50000.00", False)]


def test_a_total_without_project_lines_compares_the_count_and_the_total_only(model: LoadedModel) -> None:
    drive = Drive(model).report({"reported_card_count": 412356, "reported_paid_total": "150000.00"})
    assert runtime.end_status(drive.workflow) == "completed"
    assert [line["kind"] for line in drive.data()["reconciliation_lines"]] == ["card_count", "paid_total"]


def test_each_difference_is_explained_by_the_bank_then_closed_by_the_bureau(model: LoadedModel) -> None:
    report = {"reported_card_count": 415000, "reported_paid_total": "150000.01",
              "reported_lines": [{"project_id": 7, "amount": "100000.01"}, {"project_id": 9, "amount": "50000.00"}]}
    drive = Drive(model).report(report)
    assert drive.ready() == [("bank_explain", 1), ("bank_explain", 2), ("bank_explain", 3)]
    differences = {d["line"]: d for d in drive.data()["reconciliation_differences"]}
    assert (differences[1]["reported"], differences[1]["recorded"], differences[1]["difference"]) == (415000, 412356, 2644)
    assert (differences[2]["reported"], differences[2]["recorded"], differences[2]["difference"]) == (
        "150000.01", "150000.00", "0.01")
    assert differences[3]["project_id"] == 7
    drive.do("bank_explain", {"bank_explanation_text": "期末新增发卡 2644 张。"}, 1)
    drive.do("bank_explain", {"bank_explanation_text": "手续费一分计入支付。"}, 3)
    assert drive.ready() == [("bank_explain", 2)], "the bureau waits for every line"
    drive.do("bank_explain", {"bank_explanation_text": "同第3条。"}, 2)
    assert drive.ready() == [("bureau_close", 1), ("bureau_close", 2), ("bureau_close", 3)]
    for line in (2, 1, 3):
        drive.do("bureau_close", {"bureau_explanation": f"第{line}条已核实，按说明关闭。"}, line)
    assert runtime.end_status(drive.workflow) == "completed"
    closed = {c["line"]: c for c in drive.data()["closed_differences"]}
    assert closed[1] == {"line": 1, "bank_explanation": "期末新增发卡 2644 张。", "bureau_explanation": "第1条已核实，按说明关闭。"}
    assert sorted(closed) == [1, 2, 3]


def test_a_project_only_one_side_names_is_a_difference(model: LoadedModel) -> None:
    report = {"reported_card_count": 412356, "reported_paid_total": "150000.00",
              "reported_lines": [{"project_id": 7, "amount": "150000.00"}]}
    drive = Drive(model).report(report)
    lines = {(d["kind"], d["project_id"]): d for d in drive.data()["reconciliation_differences"]}
    assert set(lines) == {("paid_project", 7), ("paid_project", 9)}
    assert (lines[("paid_project", 9)]["reported"], lines[("paid_project", 9)]["recorded"]) == ("0.00", "50000.00")


def test_no_recorded_card_count_is_a_difference_to_explain(model: LoadedModel) -> None:
    drive = Drive(model).report(MATCHING, {**RECORDED, "recorded_card_count": None, "recorded_card_source": "无"})
    assert drive.ready() == [("bank_explain", 1)]


def test_the_explain_forms_show_the_line(model: LoadedModel) -> None:
    drive = Drive(model).report({**MATCHING, "reported_card_count": 1})
    task = drive.task("bank_explain", 1)
    patch = form_patch(model.forms["reconciliation_bank_explain.json"], task.data, drive.engine.environment.evaluator)
    assert "412356" in str(patch) and "1" in str(patch)
