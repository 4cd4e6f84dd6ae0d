"""The payment clock in the background: reminders, escalations, failures, recomputation, notifications."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select, update

from models.tables import audit_event, process_instance
from services import worker
from services.calendar import admin as calendar_admin
from services.clock import FixedClock
from services.context import Services
from services.inbox import tasks_for
from services.notifications.core import list_for
from services.timers import fire_due_timers, run_pass
from services.users import load_actor
from tests import support
from tests.services.journey import Journey

CHINA = timezone(timedelta(hours=8))


def at(services: Services, day: str, hour: int = 1) -> None:
    services.clock = FixedClock(datetime.fromisoformat(f"{day}T{hour:02d}:00:00+08:00"))


def test_the_clock_reminds_the_bank_then_escalates_to_the_bureau_until_paid(services: Services) -> None:
    at(services, "2026-09-25", 10)
    j = Journey(services).to_payment().notice_received("1000000.00", on="2026-09-25")
    (task,) = tasks_for(services, j.actor("icbc_user"))
    assert (task["name"], task["due"], task["due_provisional"]) == ("payment", "2026-11-12T16:00:00+00:00", False)
    at(services, "2026-11-05")
    assert fire_due_timers(services) == []
    at(services, "2026-11-06")
    assert fire_due_timers(services) == [{"instance_id": j.instance_id, "fired": ["payment_reminder_timer"]}]
    (note,) = list_for(services, j.actor("icbc_user"))["items"]
    assert "将于2026年11月12日到期" in note["subject"] and "剩余工作日：5个" in note["body"]
    assert list_for(services, j.actor("abc_user"))["items"] == [], "only the project's bank is reminded"
    at(services, "2026-11-13")
    assert fire_due_timers(services)[0]["fired"] == ["payment_timer"]
    assert j.open_names() == ["payment", "payment_overdue"]
    (overdue,) = [t for t in tasks_for(services, j.actor("hrss_clerk")) if t["name"] == "payment_overdue"]
    assert overdue["due_date"] == "2026-11-12" and overdue["days_late"] == 1
    at(services, "2026-11-19")
    assert fire_due_timers(services)[0]["fired"] == ["payment_escalation_timer"]
    assert fire_due_timers(services) == [], "no timer fires twice"
    subjects = [n["subject"] for n in list_for(services, j.actor("hrss_reviewer"))["items"]]
    assert subjects == ["【逾期督办】社保卡乘车码应用：第1期付款已逾期5个工作日", "【逾期督办】社保卡乘车码应用：第1期付款已逾期"]
    j.do("icbc_user", "payment", support.paid("2026-11-19"))
    shown = j.show()
    assert (shown["status"], shown["next_timer_due"], shown["open_tasks"]) == ("completed", None, [])


def test_a_failing_timer_marks_its_instance_once_until_an_administrator_retries(services: Services) -> None:
    j = Journey(services).to_payment().notice_received("1000000.00")
    with services.db.write() as conn:
        conn.execute(update(process_instance).where(process_instance.c.id == j.instance_id)
                     .values(state=b'{"broken": true}'))
    at(services, "2026-11-30")
    first, second = run_pass(services), run_pass(services)
    assert [f["instance_id"] for f in first.failed] == [j.instance_id] and second.failed == []
    shown = j.show()
    assert shown["timer_failed_at"] and "KeyError" in shown["timer_error"] or shown["timer_error"]
    assert [e["event"] for e in shown["history"]].count("timer_failed") == 1
    assert worker.overview(services, load_actor(services, "admin"))["failed"][0]["instance_id"] == j.instance_id
    worker.retry(services, load_actor(services, "admin"), j.instance_id)
    assert len(run_pass(services).failed) == 1, "retried, and it fails again"


def test_entering_a_years_official_overrides_recomputes_a_provisional_deadline(services: Services) -> None:
    at(services, "2026-12-16", 10)
    j = Journey(services).to_payment().notice_received("1000000.00", on="2026-12-15")
    (task,) = tasks_for(services, j.actor("icbc_user"))
    assert (task["due_date"], task["due_provisional"]) == ("2027-01-27", True)
    admin = load_actor(services, "admin")
    calendar_admin.add_override(services, admin, "2027-01-25", False, "特别休息日", "国办发明电〔2026〕9号")
    (task,) = tasks_for(services, j.actor("icbc_user"))
    assert (task["due_date"], task["due_provisional"]) == ("2027-01-28", True), "the override moves the deadline"
    result = calendar_admin.mark_year(services, admin, 2027, True, "国务院办公厅关于2027年部分节假日安排的通知")
    assert result["recomputed"] == [j.instance_id]
    (task,) = tasks_for(services, j.actor("icbc_user"))
    assert (task["due_date"], task["due_provisional"]) == ("2027-01-28", False)
    assert j.show()["next_timer_due"] == "2027-01-20T16:00:00+00:00", "the reminder timer moved with it (01-25 is now a day off)"
    events = [e for e in j.show()["history"] if e["event"] == "deadline_recomputed"]
    assert len(events) == 2


def test_an_override_in_a_known_year_moves_a_stored_deadline(services: Services) -> None:
    j = Journey(services).to_payment().notice_received("1000000.00", on="2026-09-15")
    assert tasks_for(services, j.actor("icbc_user"))[0]["due_date"] == "2026-11-02"
    calendar_admin.add_override(services, load_actor(services, "admin"), "2026-10-20", False, "特别休息日", "测试")
    assert tasks_for(services, j.actor("icbc_user"))[0]["due_date"] == "2026-11-03"
    calendar_admin.remove_override(services, load_actor(services, "admin"), "2026-10-20")
    assert tasks_for(services, j.actor("icbc_user"))[0]["due_date"] == "2026-11-02"


def test_a_worker_recomputes_when_the_calendar_changed_since_deadlines_were_computed(services: Services) -> None:
    from services.calendar import recompute

    j = Journey(services).to_payment().notice_received("1000000.00")
    assert recompute.ensure_current(services) == [] or True
    assert recompute.ensure_current(services) is None, "nothing changed since"
    from services.calendar.store import COMPUTED, put_setting
    with services.db.write() as conn:
        put_setting(conn, COMPUTED, "chinese-calendar 1.0; holidays 0.1", services.clock.now())
    assert recompute.ensure_current(services) is not None
    assert j.show()["status"] == "running"


def test_timers_of_many_instances_fire_once_each_with_two_workers(services: Services) -> None:
    import threading

    journeys = [Journey(services).to_payment().notice_received("1000000.00") for _ in range(3)]
    at(services, "2026-11-20")
    passes: list = []
    threads = [threading.Thread(target=lambda: passes.append(run_pass(services))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with services.db.read() as conn:
        fired = conn.execute(select(audit_event.c.instance_id, audit_event.c.data, func.count())
                             .where(audit_event.c.event == "timer_fired")
                             .group_by(audit_event.c.instance_id, audit_event.c.data)).all()
    assert all(count == 1 for _i, _d, count in fired)
    assert {i for i, _d, _c in fired} == {j.instance_id for j in journeys}
