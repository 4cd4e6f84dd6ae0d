"""Request limits shared by all server processes: a client is refused past its window's count, others are not."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models.tables import rate_window
from services import rate_limit
from services.clock import FixedClock
from services.context import Services
from services.throttle import TooManyAttempts

LIMIT = rate_limit.Limit("test", 3, timedelta(minutes=1), "slow down")


def _later(services: Services, seconds: float) -> None:
    services.clock = FixedClock(services.clock.now() + timedelta(seconds=seconds))


def test_a_client_is_refused_past_its_count_until_the_window_ends(services: Services) -> None:
    for _ in range(3):
        rate_limit.admit(services, LIMIT, "10.0.0.1")
    _later(services, 20)
    with pytest.raises(TooManyAttempts) as refused:
        rate_limit.admit(services, LIMIT, "10.0.0.1")
    assert refused.value.retry_after == 40 and refused.value.message == "slow down"
    rate_limit.admit(services, LIMIT, "10.0.0.2")
    _later(services, 40)
    rate_limit.admit(services, LIMIT, "10.0.0.1")


def test_racing_first_requests_are_all_counted(services: Services) -> None:
    limit = rate_limit.Limit("race", 100, timedelta(minutes=1), "slow down")
    errors: list[BaseException] = []

    def hit() -> None:
        try:
            rate_limit.admit(services, limit, "10.0.0.9")
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with services.db.read() as conn:
        assert conn.execute(select(rate_window.c.hits).where(rate_window.c.key == "race:10.0.0.9")).scalar() == 8


def test_old_windows_are_purged(services: Services) -> None:
    rate_limit.admit(services, LIMIT, "10.0.0.1")
    _later(services, 30 * 60)
    rate_limit.admit(services, LIMIT, "10.0.0.2")
    _later(services, 40 * 60)
    assert rate_limit.purge(services) == 1
    with services.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(rate_window)).scalar() == 1
