"""A reconciliation an administrator terminated stays on record and frees its bank and period for a new start."""
from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from models.tables import process_instance, reconciliation, reconciliation_line
from services.clock import FixedClock
from services.context import Services
from services.errors import ConflictError
from services.integrity import check
from services.oversight.actions import terminate
from services.reconciliation.listing import show_reconciliation
from services.reconciliation.schedule import start_due
from services.users import load_actor
from tests.services import reconciliation_helpers as rec


def stop(services: Services, instance_id: int) -> None:
    terminate(services, load_actor(services, "admin"), instance_id, "银行账户调整，重新对账。")


def rows(services: Services) -> list[tuple[Any, ...]]:
    """Every reconciliation with its instance's status, oldest first."""
    with services.db.read() as conn:
        found = conn.execute(select(reconciliation.c.id, reconciliation.c.instance_id, reconciliation.c.bank_org_id,
                                    reconciliation.c.period, reconciliation.c.status, process_instance.c.status)
                             .join(process_instance, process_instance.c.id == reconciliation.c.instance_id)
                             .order_by(reconciliation.c.id)).all()
    return [tuple(r) for r in found]


def snapshot(services: Services) -> tuple[list[Any], list[Any]]:
    with services.db.read() as conn:
        return (conn.execute(select(process_instance.c.id, process_instance.c.status, process_instance.c.version)
                             .order_by(process_instance.c.id)).all(), rows(services))


def at(services: Services, day: str) -> None:
    services.clock = FixedClock(datetime.fromisoformat(f"{day}T09:00:00+08:00"))


def test_a_terminated_reconciliation_is_kept_and_its_period_started_again_by_hand(services: Services) -> None:
    rec.fix_allocation(services)
    first = rec.start(services)
    rec.report(services, first, {"reported_card_count": 520001, "reported_paid_total": "0"})
    stop(services, first)
    assert rec.record(services, first).status == "terminated"
    again = rec.start(services)
    assert again != first and rec.record(services, again).status == "reporting"
    assert rec.tasks(services, "icbc_user", again, "bank_report"), "the bank reports for the new one"
    listed = [(r["instance_id"], r["period"], r["status"], r["instance_status"])
              for r in rec.rec_rows(services, "supervisor")]
    assert sorted(listed) == [(first, "2026Q2", "terminated", "terminated"), (again, "2026Q2", "reporting", "running")]
    old = show_reconciliation(services, load_actor(services, "supervisor"), rec.record(services, first).id)
    assert [line["reported"] for line in old["lines"]][:2] == ["520001", "0.00"], "its figures stay on record"
    assert old["open_tasks"] == []
    assert check(services) == {"ok": True, "violations": []}


def test_a_live_reconciliation_still_refuses_a_second_start_after_a_termination(
        services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    stop(services, rec.start(services))
    rec.start(services)
    before = snapshot(services)
    with pytest.raises(ConflictError, match="already been started"):
        rec.start(services)
    assert snapshot(services) == before
    monkeypatch.setattr("services.reconciliation.start.exists", lambda *_: False)
    with pytest.raises(ConflictError, match="already exists"):
        rec.start(services)
    assert snapshot(services) == before, "the database refuses a second live one, nothing half-written"


def test_racing_starts_after_a_termination_leave_exactly_one_live_reconciliation(services: Services) -> None:
    stop(services, rec.start(services))
    barrier, lock = threading.Barrier(4), threading.Lock()
    outcomes: list[str] = []

    def start() -> None:
        barrier.wait()
        try:
            rec.start(services)
            outcome = "started"
        except ConflictError:
            outcome = "conflict"
        except Exception as exc:  # reported below, so any other error fails the test
            outcome = f"{type(exc).__name__}: {exc}"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["conflict"] * 3 + ["started"], outcomes
    statuses = [(r[3], r[4], r[5]) for r in rows(services)]
    assert sorted(statuses) == [("2026Q2", "reporting", "running"), ("2026Q2", "terminated", "terminated")]
    assert check(services) == {"ok": True, "violations": []}


def test_the_schedule_starts_a_terminated_quarter_again_once(services: Services) -> None:
    at(services, "2026-10-08")
    icbc = next(s["instance_id"] for s in start_due(services) if s["bank"] == "bank-icbc")
    stop(services, icbc)
    at(services, "2026-10-09")
    (again,) = start_due(services)
    assert (again["bank"], again["period"]) == ("bank-icbc", "2026Q3") and again["instance_id"] != icbc
    assert start_due(services) == [], "the new one holds the quarter"
    record = rec.record(services, again["instance_id"])
    assert (record.status, record.scheduled) == ("reporting", True)
    assert rec.record(services, icbc).status == "terminated"
    assert len(rows(services)) == 4


def test_the_schedule_catches_up_a_terminated_quarter_after_the_banks_latest_live_one(services: Services) -> None:
    at(services, "2026-10-08")
    start_due(services)
    at(services, "2027-01-05")
    q4 = {s["bank"]: s["instance_id"] for s in start_due(services)}
    stop(services, q4["bank-abc"])
    at(services, "2027-04-08")
    caught_up = sorted((s["period"], s["bank"]) for s in start_due(services))
    assert caught_up == [("2026Q4", "bank-abc"), ("2027Q1", "bank-abc"), ("2027Q1", "bank-icbc"),
                         ("2027Q1", "bank-trcb")]
    assert start_due(services) == []


def test_terminating_leaves_no_line_changed(services: Services) -> None:
    rec.fix_allocation(services)
    run = rec.start(services)
    rec.report(services, run, {"reported_card_count": 1, "reported_paid_total": "0"})
    with services.db.read() as conn:
        before = conn.execute(select(reconciliation_line).order_by(reconciliation_line.c.id)).all()
    stop(services, run)
    with services.db.read() as conn:
        assert conn.execute(select(reconciliation_line).order_by(reconciliation_line.c.id)).all() == before
