"""Background upkeep of the served application: the planner's statistics, refreshed every hour."""
from __future__ import annotations

import logging
import threading

from services.context import Services
from services.maintenance import refresh_statistics

LOG = logging.getLogger("yikatong.maintenance")
STATISTICS_INTERVAL_SECONDS = 3600.0


def refresh_once(ctx: Services) -> bool:
    """Refresh the statistics once; log and swallow any failure. Return True if it worked."""
    try:
        refresh_statistics(ctx)
    except Exception:  # noqa: BLE001 - upkeep must never stop the server
        LOG.exception("refreshing the planner statistics failed")
        return False
    return True


def start_statistics_thread(ctx: Services, interval: float = STATISTICS_INTERVAL_SECONDS,
                            stop: threading.Event | None = None) -> threading.Thread:
    """Start a daemon thread that refreshes the statistics now and every *interval* seconds."""
    stop = stop or threading.Event()

    def loop() -> None:
        while not stop.is_set():
            refresh_once(ctx)
            stop.wait(interval)

    thread = threading.Thread(target=loop, name="yikatong-statistics", daemon=True)
    thread.start()
    return thread
