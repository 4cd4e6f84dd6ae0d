"""Serve the application with waitress, a production WSGI server, and run the timer worker beside it."""
from __future__ import annotations

import logging
import threading

from waitress import serve

from services.context import Services
from services.official.rendering import use_child_renderer
from services.worker import DEFAULT_INTERVAL_SECONDS, run_forever
from web.app import create_app
from web.maintenance import start_statistics_thread
from web.observability import configure_logging

LOG = logging.getLogger("yikatong.timers")
TIMER_INTERVAL_SECONDS = DEFAULT_INTERVAL_SECONDS


def start_timer_thread(ctx: Services, interval: float = TIMER_INTERVAL_SECONDS,
                       stop: threading.Event | None = None) -> threading.Thread:
    """Start the timer worker's loop in a daemon thread until *stop* is set."""
    thread = threading.Thread(target=run_forever, args=(ctx, interval, stop or threading.Event()),
                              name="yikatong-timers", daemon=True)
    thread.start()
    return thread


def run(host: str, port: int) -> None:
    """Serve the application on *host*:*port* until interrupted, with the timer worker running."""
    configure_logging()
    app = create_app()
    use_child_renderer(app.extensions["yikatong"])
    start_timer_thread(app.extensions["yikatong"])
    start_statistics_thread(app.extensions["yikatong"])
    serve(app, host=host, port=port, threads=8)
