"""Sign-in throttling: atomic, per account and client, with an account-wide ceiling that slows rather than locks."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import insert

import services.auth as auth
from models.tables import login_attempt
from services.auth import ACCOUNT_CEILING, SignInFailed, TooManyAttempts, authenticate
from services.clock import to_db
from services.context import Services
from services.demo import DEMO_PASSWORD


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the password checks (the real Argon2 verification still runs)."""
    counted, lock, real = [0], threading.Lock(), auth.password_matches

    def counting(stored_hash: str, password: str) -> bool:
        with lock:
            counted[0] += 1
        return real(stored_hash, password)

    monkeypatch.setattr(auth, "password_matches", counting)
    return counted


def _try(ctx: Services, username: str, password: str, ip: str) -> str:
    try:
        authenticate(ctx, username, password, ip)
    except SignInFailed:
        return "failed"
    except TooManyAttempts:
        return "throttled"
    return "ok"


def test_forty_parallel_wrong_passwords_get_at_most_five_password_checks(services: Services,
                                                                         checks: list[int]) -> None:
    with ThreadPoolExecutor(max_workers=40) as pool:
        outcomes = list(pool.map(lambda _: _try(services, "admin", "wrong-password", "10.9.9.9"), range(40)))
    assert checks[0] == 5
    assert (outcomes.count("failed"), outcomes.count("throttled")) == (5, 35)


def test_five_failures_lock_that_client_out_but_not_the_account(services: Services, checks: list[int]) -> None:
    for _ in range(5):
        assert _try(services, "admin", "wrong-password", "203.0.113.7") == "failed"
    assert _try(services, "admin", DEMO_PASSWORD, "203.0.113.7") == "throttled"
    assert _try(services, "admin", DEMO_PASSWORD, "198.51.100.2") == "ok"
    assert checks[0] == 6


def _failures_from_many_clients(ctx: Services, username: str, count: int) -> None:
    at = to_db(ctx.clock.now() - timedelta(seconds=1))
    with ctx.db.write() as conn:
        conn.execute(insert(login_attempt), [{"username": username, "ip": f"10.{i // 250}.{i % 250}.1",
                                              "at": at, "success": False} for i in range(count)])


def test_an_account_under_attack_from_everywhere_slows_down_instead_of_locking(services: Services) -> None:
    _failures_from_many_clients(services, "admin", ACCOUNT_CEILING)
    with pytest.raises(TooManyAttempts) as caught:
        authenticate(services, "admin", DEMO_PASSWORD, "198.51.100.2")
    wait = caught.value.retry_after
    assert 0 < wait <= auth.MAX_ACCOUNT_DELAY.total_seconds()
    services.clock.at += timedelta(seconds=wait)
    assert authenticate(services, "admin", DEMO_PASSWORD, "198.51.100.2").username == "admin"


def test_a_client_the_user_signed_in_from_lately_is_not_slowed_down(services: Services) -> None:
    authenticate(services, "admin", DEMO_PASSWORD, "192.0.2.10")
    services.clock.at += timedelta(days=3)
    _failures_from_many_clients(services, "admin", ACCOUNT_CEILING + 100)
    with pytest.raises(TooManyAttempts):
        authenticate(services, "admin", DEMO_PASSWORD, "198.51.100.2")
    assert authenticate(services, "admin", DEMO_PASSWORD, "192.0.2.10").username == "admin"
    assert _try(services, "admin", "wrong-password", "192.0.2.10") == "failed"


def test_the_account_delay_grows_with_the_failures(services: Services) -> None:
    assert auth.account_delay(ACCOUNT_CEILING - 1) == timedelta(0)
    delays = [auth.account_delay(n) for n in range(ACCOUNT_CEILING, ACCOUNT_CEILING + 200, 10)]
    assert delays == sorted(delays) and delays[0] > timedelta(0) and delays[-1] == auth.MAX_ACCOUNT_DELAY
