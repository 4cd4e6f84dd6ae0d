"""`yikatong serve` checks timers in a background thread that never stops the server."""
from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from services.context import Services
from tests import support
from tests.services.journey import Journey
from web import server


def test_a_timer_check_advances_an_overdue_payment(services: Services, journey: Journey) -> None:
    journey.to_payment()
    journey.do("hrss_clerk", "payment_notice", support.notice("1000000.00", sha=journey.sha))
    assert server.check_timers_once(services) == 0
    services.clock.at += timedelta(days=300)
    assert server.check_timers_once(services) == 1
    assert journey.open_names() == ["payment", "payment_overdue"]


def test_the_timer_thread_keeps_running_after_a_failure(monkeypatch: pytest.MonkeyPatch,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    calls: list[int] = []
    enough = threading.Event()

    def flaky(_ctx: Any) -> list[dict[str, Any]]:
        calls.append(1)
        if len(calls) >= 3:
            enough.set()
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return []

    monkeypatch.setattr(server, "fire_due_timers", flaky)
    stop = threading.Event()
    thread = server.start_timer_thread(object(), interval=0.01, stop=stop)  # type: ignore[arg-type]
    try:
        assert enough.wait(5)
        assert thread.is_alive() and thread.daemon
    finally:
        stop.set()
        thread.join(5)
    assert "timer check failed" in caplog.text
