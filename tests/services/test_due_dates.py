"""A payment task always shows when it is due, also once the deadline has passed."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from click.testing import CliRunner

from services.clock import FixedClock
from services.context import Services
from services.inbox import tasks_for
from services.task_pages import task_page
from tests.services.journey import Journey
from web.cli import main

DUE = "2026-11-02T16:00:00+00:00"  # 30 working days after receipt on 2026-09-15, the day ends at midnight in China


def test_a_payment_task_that_is_overdue_when_it_arrives_still_shows_its_due_date(services: Services) -> None:
    j = Journey(services).to_payment()
    services.clock = FixedClock(datetime(2026, 11, 29, 18, 0, tzinfo=timezone.utc))
    j.notice_received("600000.00", on="2026-09-15")
    assert j.open_names() == ["payment", "payment_overdue"]
    (task,) = tasks_for(services, j.actor("icbc_user"))
    assert (task["name"], task["due"]) == ("payment", DUE)
    assert task_page(services, j.actor("icbc_user"), task["id"])["task"]["due"] == DUE


def test_a_payment_task_keeps_its_due_date_after_the_timer_fires(services: Services) -> None:
    j = Journey(services).to_payment()
    j.notice_received("600000.00", on="2026-09-15")
    (before,) = tasks_for(services, j.actor("icbc_user"))
    services.clock = FixedClock(datetime(2026, 11, 29, 18, 0, tzinfo=timezone.utc))
    from services.timers import fire_due_timers
    assert fire_due_timers(services) == [{"instance_id": j.instance_id,
                                          "fired": ["payment_reminder_timer", "payment_timer"]}]
    (after,) = tasks_for(services, j.actor("icbc_user"))
    assert before["due"] == after["due"] == DUE


def test_the_demo_banks_overdue_payment_has_a_due_date_on_the_command_line(services: Services,
                                                                           tmp_path: Path) -> None:
    env = {"YIKATONG_DATABASE_URL": services.db.url, "YIKATONG_INSTANCE_PATH": str(tmp_path)}
    runner = CliRunner()
    assert runner.invoke(main, ["demo", "--with-projects"], env=env, catch_exceptions=False).exit_code == 0
    listed = runner.invoke(main, ["tasks", "--as", "icbc_user"], env=env, catch_exceptions=False)
    (payment,) = [t for t in json.loads(listed.stdout) if t["name"] == "payment"]
    assert payment["due"] == DUE
