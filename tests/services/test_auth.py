"""Signing in: hashed passwords, throttled failures, sessions that end, tokens that expire."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models.tables import app_user
from services.admin import update_user
from services.auth import (
    SignInFailed, TooManyAttempts, actor_for_session, actor_for_token, authenticate, create_api_token,
    end_session, start_session,
)
from services.clock import FixedClock
from services.context import Services
from services.demo import DEMO_PASSWORD


def test_passwords_are_stored_as_argon2_hashes(services: Services) -> None:
    with services.db.read() as conn:
        stored = conn.execute(select(app_user.c.password_hash).where(app_user.c.username == "icbc_user")).scalar()
    assert stored.startswith("$argon2id$") and DEMO_PASSWORD not in stored
    assert authenticate(services, "icbc_user", DEMO_PASSWORD, "10.0.0.1").org_code == "bank-icbc"


def test_wrong_passwords_fail_and_five_failures_lock_out_for_fifteen_minutes(services: Services) -> None:
    for _ in range(5):
        with pytest.raises(SignInFailed):
            authenticate(services, "icbc_user", "wrong-password", "10.0.0.2")
    with pytest.raises(TooManyAttempts):
        authenticate(services, "icbc_user", DEMO_PASSWORD, "10.0.0.2")
    services.clock = FixedClock(services.clock.now() + timedelta(minutes=16))
    assert authenticate(services, "icbc_user", DEMO_PASSWORD, "10.0.0.2").username == "icbc_user"


def test_unknown_users_fail_like_wrong_passwords(services: Services) -> None:
    with pytest.raises(SignInFailed, match="Wrong user name or password"):
        authenticate(services, "nobody", DEMO_PASSWORD, "10.0.0.3")


def test_a_session_ends_at_sign_out_and_after_idling(services: Services) -> None:
    actor = authenticate(services, "health_user", DEMO_PASSWORD, "10.0.0.4")
    token = start_session(services, actor, "10.0.0.4")
    assert actor_for_session(services, token) == actor
    end_session(services, token)
    assert actor_for_session(services, token) is None
    token = start_session(services, actor, "10.0.0.4")
    services.clock = FixedClock(services.clock.now() + timedelta(hours=2, minutes=1))
    assert actor_for_session(services, token) is None


def test_a_deactivated_user_loses_its_session_and_cannot_sign_in(services: Services) -> None:
    actor = authenticate(services, "abc_user", DEMO_PASSWORD, "10.0.0.5")
    token = start_session(services, actor, "10.0.0.5")
    update_user(services, None, "abc_user", active=False)
    assert actor_for_session(services, token) is None
    with pytest.raises(SignInFailed):
        authenticate(services, "abc_user", DEMO_PASSWORD, "10.0.0.5")


def test_api_tokens_work_until_they_expire(services: Services) -> None:
    issued = create_api_token(services, "trcb_user", DEMO_PASSWORD, "10.0.0.6")
    assert actor_for_token(services, issued["token"]).username == "trcb_user"
    assert actor_for_token(services, issued["token"] + "x") is None
    services.clock = FixedClock(services.clock.now() + timedelta(days=31))
    assert actor_for_token(services, issued["token"]) is None
