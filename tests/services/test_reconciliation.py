"""Reconciliation through the services: the system's figures, differences explained and closed, kept as a record."""
from __future__ import annotations

import json


import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError

from models.tables import audit_event, process_instance, reconciliation_line
from services.context import Services
from services.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from services.instances import show_instance
from services.reconciliation.listing import list_reconciliations, show_reconciliation
from services.tasks import complete_task
from services.users import load_actor
from tests.services import reconciliation_helpers as rec


@pytest.fixture
def paid(services: Services) -> dict[str, int]:
    """This year's allocation and ICBC's payments: two in 2026Q2, one in Q3; ABC's one in Q2."""
    rec.fix_allocation(services)
    return {"bus": rec.paid_project(services, "bank-icbc", "公交乘车改造", [("100000.00", "2026-04-01"),
                                                                           ("0.01", "2026-06-30")]),
            "library": rec.paid_project(services, "bank-icbc", "图书借阅", [("49999.99", "2026-05-15"),
                                                                         ("7.00", "2026-07-01")]),
            "abc": rec.paid_project(services, "bank-abc", "就医结算", [("300.00", "2026-05-01")])}


def matching(paid: dict[str, int]) -> dict[str, object]:
    return {"reported_card_count": 520000, "reported_paid_total": "150000.00",
            "reported_lines": [{"project_id": paid["bus"], "amount": "100000.01"},
                               {"project_id": paid["library"], "amount": "49999.99"}]}


def lines_of(services: Services, instance_id: int) -> list[dict[str, object]]:
    (row,) = [r for r in list_reconciliations(services, load_actor(services, "supervisor"))
              if r["instance_id"] == instance_id]
    return row["lines"]


def test_a_report_matching_the_records_closes_at_once(services: Services, paid: dict[str, int]) -> None:
    run = rec.start(services)
    done = rec.report(services, run, matching(paid))
    assert done["status"] == "completed" and done["ready"] == []
    record = rec.record(services, run)
    assert (record.status, record.period_start.isoformat(), record.period_end.isoformat()) == (
        "closed", "2026-04-01", "2026-06-30")
    assert record.reported_at is not None and record.closed_at is not None
    lines = lines_of(services, run)
    assert [(line["kind"], line["reported"], line["recorded"], line["differs"]) for line in lines] == [
        ("card_count", "520000", "520000", False), ("paid_total", "150000.00", "150000.00", False),
        ("paid_project", "100000.01", "100000.01", False), ("paid_project", "49999.99", "49999.99", False)]
    assert "2026年度分配" in lines[0]["label"]


def test_differences_are_explained_by_the_bank_and_closed_by_the_bureau(services: Services,
                                                                         paid: dict[str, int]) -> None:
    run = rec.start(services)
    rec.report(services, run, {"reported_card_count": 523100, "reported_paid_total": "100000.01",
                               "reported_lines": [{"project_id": paid["bus"], "amount": "100000.01"}]})
    assert rec.record(services, run).status == "explaining"
    bank_tasks = rec.tasks(services, "icbc_user", run, "bank_explain")
    assert len(bank_tasks) == 3, "card count, total, and the library project the bank left out"
    assert rec.tasks(services, "abc_user", run, "bank_explain") == []
    icbc = load_actor(services, "icbc_user")
    for number, task in enumerate(bank_tasks, start=1):
        complete_task(services, icbc, task["id"], {"bank_explanation_text": f"本行说明{number}"})
    bureau_tasks = rec.tasks(services, "hrss_reviewer", run, "bureau_close")
    assert len(bureau_tasks) == 3 and rec.record(services, run).closed_at is None
    for task in bureau_tasks:
        complete_task(services, load_actor(services, "hrss_reviewer"), task["id"], {"bureau_explanation": "已核实，关闭。"})
    record = rec.record(services, run)
    assert record.status == "closed" and record.closed_at is not None
    differences = [line for line in lines_of(services, run) if line["differs"]]
    assert [(d["kind"], d["reported"], d["recorded"], d["difference"]) for d in differences] == [
        ("card_count", "523100", "520000", "3100"), ("paid_total", "100000.01", "150000.00", "-49999.99"),
        ("paid_project", "0.00", "49999.99", "-49999.99")]
    assert sorted(d["bank_explanation"] for d in differences) == ["本行说明1", "本行说明2", "本行说明3"]
    assert {(d["bureau_explanation"], d["closed_by"], d["bank_explained_by"]) for d in differences} == {
        ("已核实，关闭。", "李强（审核人）", "周婷（工商银行）")}


def test_the_figures_of_a_line_are_never_changed(services: Services, paid: dict[str, int]) -> None:
    run = rec.start(services)
    rec.report(services, run, {**matching(paid), "reported_card_count": 1})
    with pytest.raises(DBAPIError, match="never changed"):
        with services.db.write() as conn:
            conn.execute(update(reconciliation_line).where(reconciliation_line.c.line_no == 1)
                         .values(recorded_count=1))


def test_a_bank_never_sees_another_banks_reconciliation(services: Services, paid: dict[str, int]) -> None:
    icbc_run, abc_run = rec.start(services), rec.start(services, "bank-abc")
    rec.report(services, icbc_run, {**matching(paid), "reported_card_count": 1})
    abc = load_actor(services, "abc_user")
    assert [r["bank"] for r in list_reconciliations(services, abc)] == ["bank-abc"]
    icbc_record = rec.record(services, icbc_run).id
    with pytest.raises(NotFound):
        show_reconciliation(services, abc, icbc_record)
    with pytest.raises(NotFound):
        show_instance(services, abc, icbc_run)
    (task,) = rec.tasks(services, "icbc_user", icbc_run, "bank_explain")
    with pytest.raises(NotFound):
        complete_task(services, abc, task["id"], {"bank_explanation_text": "x"})
    assert rec.tasks(services, "abc_user", abc_run, "bank_report"), "ABC has its own report to make"
    for user in ("hrss_clerk", "hrss_head", "bdc_reviewer", "supervisor", "admin"):
        assert {r["bank"] for r in list_reconciliations(services, load_actor(services, user))} == {
            "bank-icbc", "bank-abc"}, user
    with pytest.raises(PermissionDenied):
        list_reconciliations(services, load_actor(services, "health_user"))


@pytest.mark.parametrize("data, field", [
    ({"reported_card_count": -1, "reported_paid_total": "0"}, "reported_card_count"),
    ({"reported_card_count": 12.5, "reported_paid_total": "0"}, "reported_card_count"),
    ({"reported_card_count": "12", "reported_paid_total": "0"}, "reported_card_count"),
    ({"reported_card_count": 1, "reported_paid_total": "1.001"}, "reported_paid_total"),
    ({"reported_card_count": 1, "reported_paid_total": "-5.00"}, "reported_paid_total"),
    ({"reported_card_count": 1, "reported_paid_total": "abc"}, "reported_paid_total"),
    ({"reported_card_count": 1, "reported_paid_total": "1.00",
      "reported_lines": [{"project_id": "公交", "amount": "1.00"}]}, "reported_lines.0.project_id"),
    ({"reported_card_count": 1, "reported_paid_total": "1.00",
      "reported_lines": [{"project_id": 1, "amount": "1,00"}]}, "reported_lines.0.amount"),
])
def test_bad_figures_are_field_errors_and_nothing_is_written(services: Services, paid: dict[str, int],
                                                              data: dict[str, object], field: str) -> None:
    run = rec.start(services)
    with pytest.raises(ValidationError) as caught:
        rec.report(services, run, data)
    assert field in caught.value.field_messages()
    assert rec.record(services, run).status == "reporting"
    assert rec.tasks(services, "icbc_user", run, "bank_report"), "the report is still to be made"
    with services.db.read() as conn:
        assert conn.execute(select(reconciliation_line.c.id)).first() is None


def test_project_lines_must_add_up_name_each_project_once_and_only_the_banks_own(services: Services,
                                                                               paid: dict[str, int]) -> None:
    run = rec.start(services)
    cases = [
        ({"reported_lines": [{"project_id": paid["bus"], "amount": "1.00"}]}, "reported_paid_total"),
        ({"reported_paid_total": "2.00", "reported_lines": [{"project_id": paid["bus"], "amount": "1.00"},
                                                           {"project_id": paid["bus"], "amount": "1.00"}]},
         "reported_lines.1.project_id"),
        ({"reported_paid_total": "300.00", "reported_lines": [{"project_id": paid["abc"], "amount": "300.00"}]},
         "reported_lines.0.project_id"),
    ]
    for changes, field in cases:
        with pytest.raises(ValidationError) as caught:
            rec.report(services, run, {"reported_card_count": 1, "reported_paid_total": "150000.00", **changes})
        assert field in caught.value.field_messages(), changes
    assert rec.record(services, run).reported_at is None


def test_only_the_bureau_starts_an_ended_period_once(services: Services) -> None:
    for user in ("icbc_user", "supervisor", "bdc_reviewer"):
        with pytest.raises(PermissionDenied):
            rec.start(services, user=user)
    for bank, period, field in [("bank-nope", "2026Q2", "bank"), ("dept-health", "2026Q2", "bank"),
                                ("bank-icbc", "2026Q5", "period"), ("bank-icbc", "2026Q3", "period"),
                                ("bank-icbc", "26Q1", "period")]:
        with pytest.raises(ValidationError) as caught:
            rec.start(services, bank, period)
        assert field in caught.value.field_messages(), (bank, period)
    run = rec.start(services, period="2026q2")
    with pytest.raises(ConflictError):
        rec.start(services)
    assert rec.record(services, run).period == "2026Q2"


def test_the_database_refuses_a_second_reconciliation_of_a_bank_and_period(services: Services,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    rec.start(services)
    with services.db.read() as conn:
        before = conn.execute(select(process_instance.c.id)).all()
    monkeypatch.setattr("services.reconciliation.start.exists", lambda *_: False)
    with pytest.raises(ConflictError, match="already exists"):
        rec.start(services)
    with services.db.read() as conn:
        assert conn.execute(select(process_instance.c.id)).all() == before, "nothing half-written"


def test_the_systems_figures_are_audited_with_the_banks_report(services: Services, paid: dict[str, int]) -> None:
    run = rec.start(services)
    rec.report(services, run, matching(paid))
    with services.db.read() as conn:
        events = conn.execute(select(audit_event.c.event, audit_event.c.data)
                              .where(audit_event.c.instance_id == run)).all()
    (report,) = [json.loads(e.data) if isinstance(e.data, str) else e.data for e in events
                 if e.event == "task_completed"]
    assert report["data"]["reported_card_count"] == 520000
    assert report["host_data"]["recorded_paid_total"] == "150000.00"
    assert "recorded_lines" not in report["data"], "what the bank entered stays apart from what the system added"
    assert {"instance_started", "reconciliation_closed"} <= {e.event for e in events}
