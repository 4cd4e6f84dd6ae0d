"""Payment deadlines: 30 working days after the notice, then the bureau is asked to follow up."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from services.clock import FixedClock
from services.context import Services
from services.inbox import tasks_for
from services.timers import fire_due_timers
from tests import support
from tests.services.journey import Journey


def test_an_unpaid_notice_escalates_to_the_bureau_after_thirty_working_days(services: Services) -> None:
    j = Journey(services).to_payment()
    j.do("hrss_clerk", "payment_notice", support.notice("1000000.00", on="2026-09-25", sha=j.sha))
    bank_tasks = tasks_for(services, j.actor("icbc_user"))
    assert [(t["name"], t["due"]) for t in bank_tasks] == [("payment", "2026-11-12T16:00:00+00:00")]
    assert j.show()["next_timer_due"] == "2026-11-12T16:00:00+00:00"

    services.clock = FixedClock(datetime(2026, 11, 12, 15, 59, tzinfo=timezone.utc))
    assert fire_due_timers(services) == []
    services.clock = FixedClock(datetime(2026, 11, 12, 16, 0, 1, tzinfo=timezone.utc))
    assert fire_due_timers(services) == [{"instance_id": j.instance_id, "fired": ["payment_timer"]}]
    assert fire_due_timers(services) == []

    assert j.open_names() == ["payment", "payment_overdue"]
    assert "timer_fired" in [e["event"] for e in j.show()["history"]]
    j.do("hrss_clerk", "payment_overdue", support.OVERDUE)
    j.do("icbc_user", "payment", support.paid("2026-11-20"))
    shown = j.show()
    assert (shown["status"], shown["next_timer_due"]) == ("completed", None)
    assert shown["payments"][0]["paid_on"] == "2026-11-20"


def test_paying_in_time_leaves_no_timer(services: Services) -> None:
    j = Journey(services).to_payment()
    j.do("hrss_clerk", "payment_notice", support.notice("500000.00", sha=j.sha))
    j.do("icbc_user", "payment", support.paid())
    assert j.show()["next_timer_due"] is None
    services.clock = FixedClock(services.clock.now() + timedelta(days=400))
    assert fire_due_timers(services) == []
    assert j.open_names() == ["payment_notice"]


def test_a_due_date_beyond_the_official_calendar_is_marked_provisional(services: Services) -> None:
    j = Journey(services).to_payment()
    j.do("hrss_clerk", "payment_notice", support.notice("1000000.00", on="2026-12-15", sha=j.sha))
    (task,) = tasks_for(services, j.actor("icbc_user"))
    assert (task["due"][:10], task["due_provisional"]) == ("2027-01-27", True)
