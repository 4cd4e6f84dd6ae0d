"""The payment clock in the background: reminders, escalations, catch-up, failures, recomputation."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select, update

from models.tables import audit_event, process_instance
from services import worker
from services.calendar import admin as calendar_admin
from services.calendar import recompute
from services.calendar.store import COMPUTED, get_setting, put_setting
from services.clock import FixedClock
from services.context import Services
from services.inbox import tasks_for
from services.notifications.core import list_for
from services.notifications.texts import chinese
from services.timers import fire_due_timers, run_pass
from services.users import load_actor
from tests import support
from tests.services.journey import Journey

CHINA = timezone(timedelta(hours=8))


def at(services: Services, day: str, hour: int = 1) -> None:
    services.clock = FixedClock(datetime.fromisoformat(f"{day}T{hour:02d}:00:00+08:00"))


def notices(j: Journey, username: str) -> list[dict]:
    """Return a user's notifications about the journey's project, oldest first."""
    items = list_for(j.ctx, j.actor(username))["items"]
    return sorted((n for n in items if n["instance_id"] == j.instance_id), key=lambda n: n["id"])


def next_timer(j: Journey) -> str | None:
    return j.show()["next_timer_due"]


def overdue_from_the_25th(services: Services) -> Journey:
    """A notice and invoice signed for on 2026-09-25: due 2026-11-12, overdue from 11-13."""
    at(services, "2026-09-25", 10)
    return Journey(services).to_payment().notice_received("1000000.00", on="2026-09-25")


def test_the_clock_reminds_the_bank_then_escalates_to_the_bureau_until_paid(services: Services) -> None:
    j = overdue_from_the_25th(services)
    (task,) = tasks_for(services, j.actor("icbc_user"))
    assert (task["name"], task["due"], task["due_provisional"]) == ("payment", "2026-11-12T16:00:00+00:00", False)
    at(services, "2026-11-05")
    assert fire_due_timers(services) == []
    at(services, "2026-11-06")
    assert fire_due_timers(services) == [{"instance_id": j.instance_id, "fired": ["payment_reminder_timer"]}]
    (note,) = notices(j, "icbc_user")
    subject, body = chinese(note["kind"], note["params"])
    assert subject == "【付款提醒】社保卡乘车码应用：第1期付款将于2026年11月12日到期"
    assert "剩余工作日：5个" in body and "补发" not in body
    assert list_for(services, j.actor("abc_user"))["items"] == [], "only the project's bank is reminded"
    at(services, "2026-11-13")
    assert fire_due_timers(services)[0]["fired"] == ["payment_timer"]
    assert j.open_names() == ["payment", "payment_overdue"]
    (overdue,) = [t for t in tasks_for(services, j.actor("hrss_clerk")) if t["name"] == "payment_overdue"]
    assert overdue["due_date"] == "2026-11-12" and overdue["days_late"] == 1
    assert next_timer(j) == "2026-11-18T16:00:00+00:00", "the first escalation: 5 working days after the due day"
    at(services, "2026-11-19")
    assert fire_due_timers(services)[0]["fired"] == ["payment_escalation_timer"]
    assert fire_due_timers(services) == [], "no timer fires twice"
    subjects = [chinese(n["kind"], n["params"])[0] for n in notices(j, "hrss_reviewer")]
    assert subjects == ["【逾期督办】社保卡乘车码应用：第1期付款已逾期", "【逾期督办】社保卡乘车码应用：第1期付款已逾期5个工作日"]
    assert next_timer(j) == "2026-11-25T16:00:00+00:00", "every 5 working days"
    j.do("icbc_user", "payment", support.paid("2026-11-19"))
    shown = j.show()
    assert (shown["status"], shown["next_timer_due"], shown["open_tasks"]) == ("completed", None, [])


def test_after_the_worker_was_stopped_one_catch_up_escalation_says_the_days_late(services: Services) -> None:
    j = overdue_from_the_25th(services)
    at(services, "2026-11-13")
    assert [f["fired"] for f in fire_due_timers(services)] == [["payment_reminder_timer", "payment_timer"]]
    assert [n["kind"] for n in notices(j, "icbc_user")] == [], "no reminder once the deadline has passed"
    at(services, "2026-12-01", 9)  # stopped from 11-13 to 12-01: the rounds of 11-19 and 11-26 were missed
    assert fire_due_timers(services) == [{"instance_id": j.instance_id, "fired": ["payment_escalation_timer"]}]
    overdue, catch_up = notices(j, "hrss_clerk")
    assert (overdue["kind"], catch_up["kind"]) == ("payment_overdue", "payment_escalation")
    assert (catch_up["params"]["days_late"], catch_up["params"]["late_from"]) == (13, "2026-11-19")
    subject, body = chinese(catch_up["kind"], catch_up["params"])
    assert subject.endswith("已逾期13个工作日") and "本通知原定于2026年11月19日发出" in body
    assert next_timer(j) == "2026-12-07T16:00:00+00:00", "5 working days after the catch-up (12-08), not 11-26+5"
    for day in ("2026-12-02", "2026-12-04", "2026-12-07"):
        at(services, day, 23)
        assert fire_due_timers(services) == [], day
    at(services, "2026-12-08")
    assert fire_due_timers(services)[0]["fired"] == ["payment_escalation_timer"]
    latest = notices(j, "hrss_clerk")[-1]
    assert (latest["params"]["days_late"], latest["params"]["late_from"]) == (18, None)
    assert next_timer(j) == "2026-12-14T16:00:00+00:00", "then every 5 working days again: 12-15"
    assert len(notices(j, "hrss_clerk")) == 3


def test_an_overdue_notice_sent_late_counts_the_next_escalation_from_its_own_day(services: Services) -> None:
    j = overdue_from_the_25th(services)
    at(services, "2026-11-27", 9)  # stopped before the reminder day (11-06) and the deadline
    assert [f["fired"] for f in fire_due_timers(services)] == [["payment_reminder_timer", "payment_timer"]]
    assert notices(j, "icbc_user") == [], "a reminder that comes after the deadline is not sent"
    (overdue,) = notices(j, "hrss_clerk")
    assert (overdue["params"]["days_late"], overdue["params"]["late_from"]) == (11, "2026-11-13")
    assert next_timer(j) == "2026-12-03T16:00:00+00:00", "12-04: five working days after the catch-up"


def test_a_calendar_change_moves_a_waiting_escalation(services: Services) -> None:
    j = overdue_from_the_25th(services)
    at(services, "2026-11-13")
    fire_due_timers(services)
    assert next_timer(j) == "2026-11-18T16:00:00+00:00"
    calendar_admin.add_override(services, load_actor(services, "admin"), "2026-11-17", False, "特别休息日", "测试")
    assert next_timer(j) == "2026-11-19T16:00:00+00:00", "a day off before the escalation moves it a day"


def test_a_failing_timer_marks_its_instance_once_until_an_administrator_retries(services: Services) -> None:
    j = Journey(services).to_payment().notice_received("1000000.00")
    with services.db.write() as conn:
        conn.execute(update(process_instance).where(process_instance.c.id == j.instance_id)
                     .values(state=b'{"broken": true}'))
    at(services, "2026-11-30")
    first, second = run_pass(services), run_pass(services)
    assert [f["instance_id"] for f in first.failed] == [j.instance_id] and second.failed == []
    shown = j.show()
    assert shown["timer_failed_at"] is not None
    assert shown["timer_error"] == "EngineError: stored state has serializer version None, expected 1.5"
    assert [e["event"] for e in shown["history"]].count("timer_failed") == 1
    assert worker.overview(services, load_actor(services, "admin"))["failed"][0]["instance_id"] == j.instance_id
    worker.retry(services, load_actor(services, "admin"), j.instance_id)
    assert j.show()["timer_failed_at"] is None
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
    assert next_timer(j) == "2027-01-20T16:00:00+00:00", "the reminder timer moved with it (01-25 is now a day off)"
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
    j = Journey(services).to_payment().notice_received("1000000.00")
    assert recompute.ensure_current(services) == [], "first run: checked, nothing to move"
    assert recompute.ensure_current(services) is None, "nothing changed since"
    with services.db.write() as conn:
        put_setting(conn, COMPUTED, "chinese-calendar 1.0; holidays 0.1", services.clock.now())
    history = len(j.show()["history"])
    assert recompute.ensure_current(services) == [], "a newer package: checked again, same days, nothing moved"
    with services.db.read() as conn:
        assert get_setting(conn, COMPUTED) != "chinese-calendar 1.0; holidays 0.1", "and the new calendar is recorded"
    assert len(j.show()["history"]) == history and j.show()["status"] == "running"


def test_timers_of_many_instances_fire_once_each_with_two_worker_threads(services: Services) -> None:
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
    assert sorted(count for _i, _d, count in fired) == [1] * 6, "reminder and deadline of 3 instances, once each"
    assert {i for i, _d, _c in fired} == {j.instance_id for j in journeys}
    assert sum(len(p.fired) for p in passes) == 3 and all(not p.failed for p in passes)
