"""Serve the application with waitress, a production WSGI server, and check timers in the background."""
from __future__ import annotations

import logging
import threading

from waitress import serve

from services.context import Services
from services.timers import fire_due_timers
from web.app import create_app
from web.maintenance import start_statistics_thread

LOG = logging.getLogger("yikatong.timers")
TIMER_INTERVAL_SECONDS = 60.0


def check_timers_once(ctx: Services) -> int:
    """Fire every due timer once; log and swallow any failure. Return how many instances advanced."""
    try:
        fired = fire_due_timers(ctx)
    except Exception:  # noqa: BLE001 - the background check must never stop the server
        LOG.exception("timer check failed")
        return 0
    for item in fired:
        LOG.info("timers fired in instance %s: %s", item["instance_id"], ", ".join(item["fired"]))
    return len(fired)


def start_timer_thread(ctx: Services, interval: float = TIMER_INTERVAL_SECONDS,
                       stop: threading.Event | None = None) -> threading.Thread:
    """Start a daemon thread that checks timers every *interval* seconds until *stop* is set."""
    stop = stop or threading.Event()

    def loop() -> None:
        while not stop.is_set():
            check_timers_once(ctx)
            stop.wait(interval)

    thread = threading.Thread(target=loop, name="yikatong-timers", daemon=True)
    thread.start()
    return thread


def run(host: str, port: int) -> None:
    """Serve the application on *host*:*port* until interrupted, with the timer check running."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app()
    start_timer_thread(app.extensions["yikatong"])
    start_statistics_thread(app.extensions["yikatong"])
    serve(app, host=host, port=port, threads=8)
