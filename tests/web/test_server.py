"""`yikatong serve` runs the timer worker's loop in a background thread that never stops the server."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

from services.context import Services
from services.worker import overview
from tests.services.journey import Journey
from web import server


def test_the_server_thread_advances_an_overdue_payment_and_reports_its_heartbeat(services: Services,
                                                                                 journey: Journey) -> None:
    journey.to_payment().notice_received("1000000.00")
    services.clock.at += timedelta(days=300)  # type: ignore[attr-defined]
    stop = threading.Event()
    thread = server.start_timer_thread(services, interval=0.05, stop=stop)
    try:
        deadline = time.monotonic() + 20
        while "payment_overdue" not in journey.open_names() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert thread.is_alive() and thread.daemon
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive(), "the loop ends when told to stop"
    assert journey.open_names() == ["payment", "payment_overdue"]
    (beat,) = overview(services, None)["workers"]
    assert beat["runs"] >= 1 and beat["last_error"] is None
    assert (beat["fired"], beat["failed"]) == (1, 0), "one instance advanced once; the next escalation is days away"
