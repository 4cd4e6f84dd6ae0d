"""The quarterly schedule: each bank's reconciliation starts on the first working day after the quarter, once."""
from __future__ import annotations

import threading
from datetime import date, datetime

from sqlalchemy import select

from models.tables import audit_event, reconciliation
from services.calendar.days import Calendar
from services.clock import FixedClock
from services.context import Services
from services.reconciliation.periods import parse_period, quarter_before
from services.reconciliation.schedule import due_period, start_due
from services.worker import register, run_once
from tests.services import reconciliation_helpers as rec


def at(services: Services, day: str) -> None:
    services.clock = FixedClock(datetime.fromisoformat(f"{day}T09:00:00+08:00"))


def started(services: Services) -> list[tuple[str, bool]]:
    with services.db.read() as conn:
        rows = conn.execute(select(reconciliation.c.period, reconciliation.c.scheduled)
                            .order_by(reconciliation.c.bank_org_id)).all()
    return [(r.period, r.scheduled) for r in rows]


def test_periods_are_quarters_months_or_years() -> None:
    assert (parse_period("2026Q3").start, parse_period("2026Q3").end) == (date(2026, 7, 1), date(2026, 9, 30))
    assert parse_period("2024-02").end == date(2024, 2, 29)
    assert parse_period("2026").end == date(2026, 12, 31)
    assert quarter_before(date(2026, 1, 5)).name == "2025Q4"


def test_the_quarter_is_due_on_the_first_working_day_after_its_end() -> None:
    calendar = Calendar()
    assert due_period(calendar, date(2026, 10, 7)) is None, "the National Day holidays run to 7 October"
    assert due_period(calendar, date(2026, 10, 8)).name == "2026Q3"  # type: ignore[union-attr]
    assert due_period(calendar, date(2026, 11, 20)).name == "2026Q3"  # type: ignore[union-attr]


def test_the_schedule_starts_each_bank_once(services: Services) -> None:
    at(services, "2026-10-07")
    assert start_due(services) == []
    at(services, "2026-10-08")
    first = start_due(services)
    assert sorted(s["bank"] for s in first) == ["bank-abc", "bank-icbc", "bank-trcb"]
    assert {s["period"] for s in first} == {"2026Q3"}
    assert start_due(services) == [], "no duplicate for the same bank and period"
    assert started(services) == [("2026Q3", True)] * 3
    for bank, user in rec.BANK_USERS.items():
        assert len(rec.tasks(services, user, next(s["instance_id"] for s in first if s["bank"] == bank),
                             "bank_report")) == 1
    with services.db.read() as conn:
        assert len(conn.execute(select(audit_event.c.id).where(
            audit_event.c.event == "reconciliation_scheduled")).all()) == 3


def test_the_bureau_may_start_a_bank_early_and_the_schedule_adds_only_the_others(services: Services) -> None:
    at(services, "2026-10-02")
    rec.start(services, "bank-abc", "2026Q3")
    at(services, "2026-10-09")
    assert sorted(s["bank"] for s in start_due(services)) == ["bank-icbc", "bank-trcb"]
    assert sorted(started(services)) == [("2026Q3", False), ("2026Q3", True), ("2026Q3", True)]


def test_the_worker_starts_due_reconciliations_on_its_pass(services: Services) -> None:
    at(services, "2026-10-08")
    me = register(services)
    run_once(services, me)
    run_once(services, me)
    assert len(started(services)) == 3


def test_a_late_worker_catches_up_the_last_quarter_only(services: Services) -> None:
    at(services, "2026-12-31")
    assert {s["period"] for s in start_due(services)} == {"2026Q3"}
    at(services, "2027-01-04")
    assert {s["period"] for s in start_due(services)} == {"2026Q4"}
    assert sorted(started(services)) == [("2026Q3", True)] * 3 + [("2026Q4", True)] * 3


def test_a_worker_down_across_quarter_ends_catches_up_every_missed_quarter_oldest_first(services: Services) -> None:
    at(services, "2026-10-08")
    start_due(services)
    at(services, "2027-07-15")  # 2026Q4, 2027Q1 and 2027Q2 were missed
    caught_up = [(s["period"], s["bank"]) for s in start_due(services)]
    assert [p for p, _ in caught_up] == ["2026Q4"] * 3 + ["2027Q1"] * 3 + ["2027Q2"] * 3
    assert start_due(services) == []


def test_catching_up_is_bounded_and_follows_each_banks_own_history(services: Services) -> None:
    at(services, "2026-10-08")
    rec.start(services, "bank-abc", "2026Q3")
    at(services, "2029-01-10")
    caught_up = {(s["bank"], s["period"]) for s in start_due(services)}
    assert {p for b, p in caught_up if b == "bank-abc"} == {"2028Q1", "2028Q2", "2028Q3", "2028Q4"}
    assert {p for b, p in caught_up if b != "bank-abc"} == {"2028Q4"}, "banks with no history get the last quarter"


def test_workers_passing_at_the_same_moment_start_each_bank_once(services: Services) -> None:
    at(services, "2026-10-08")
    barrier, lock = threading.Barrier(4), threading.Lock()
    results: list[object] = []

    def worker() -> None:
        barrier.wait()
        try:
            outcome: object = [s["bank"] for s in start_due(services)]
        except Exception as exc:  # reported below, so any error fails the test
            outcome = f"{type(exc).__name__}: {exc}"
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(isinstance(r, list) for r in results), results
    assert sorted(bank for r in results for bank in r) == ["bank-abc", "bank-icbc", "bank-trcb"]  # type: ignore[union-attr]
    assert started(services) == [("2026Q3", True)] * 3
