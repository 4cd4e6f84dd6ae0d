"""Signing in: password checks with throttling, server-side sessions and API tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update

from models import fastpath
from models.tables import api_token, app_user, user_session
from services import throttle
from services.clock import from_db, to_db
from services.context import Services
from services.errors import ServiceError
from services.throttle import (  # noqa: F401 - the limits and the refusal, re-exported for the entrypoints
    ACCOUNT_CEILING, FAILURE_WINDOW, MAX_ACCOUNT_DELAY, MAX_FAILURES, TooManyAttempts, account_delay,
)
from services.users import Actor, actor_by_id, actor_query, hash_password, password_matches, to_actor
SESSION_IDLE = timedelta(hours=2)
SESSION_LIFETIME = timedelta(hours=12)
TOKEN_LIFETIME = timedelta(days=30)
_DUMMY_HASH = hash_password("not-a-real-password")
TOKEN_ACTOR = actor_query().join(api_token, api_token.c.user_id == app_user.c.id).where(
    api_token.c.token_hash == bindparam("digest"), api_token.c.revoked_at.is_(None),
    api_token.c.expires_at > bindparam("now"))
_SESSION_ACTOR = actor_query().add_columns(
    user_session.c.token_hash, user_session.c.expires_at, user_session.c.last_seen_at,
).join(user_session, user_session.c.user_id == app_user.c.id).where(user_session.c.token_hash == bindparam("digest"))


class SignInFailed(ServiceError):
    """Wrong user name or password (which of the two is never said)."""


def token_digest(token: str) -> str:
    """Return the digest under which a session or bearer token is stored (never the token itself)."""
    return hashlib.sha256(token.encode()).hexdigest()



def authenticate(ctx: Services, username: str, password: str, ip: str) -> Actor:
    """Return the user if the password matches; every attempt is recorded and failures throttled.

    The attempt is admitted and recorded (as a failure) under a lock on the account before the slow
    password check, which runs outside any transaction; only a match turns the record into a success.
    """
    now = ctx.clock.now()
    username = (username or "").strip()[:64]
    with ctx.db.write() as conn:
        attempt = throttle.admit(ctx, conn, username, ip or "unknown", now)
        row = conn.execute(select(app_user.c.id, app_user.c.password_hash, app_user.c.is_active)
                           .where(app_user.c.username == username)).first()
    ok = password_matches(row.password_hash if row else _DUMMY_HASH, password or "")
    if not (ok and row is not None and row.is_active):
        raise SignInFailed("Wrong user name or password.")
    with ctx.db.write() as conn:
        throttle.succeeded(conn, attempt)
        return actor_by_id(conn, row.id)


def start_session(ctx: Services, actor: Actor, ip: str) -> str:
    """Create a new server-side session for *actor* and return its secret token."""
    token, now = secrets.token_urlsafe(32), ctx.clock.now()
    with ctx.db.write() as conn:
        conn.execute(delete(user_session).where(user_session.c.expires_at < to_db(now)))
        conn.execute(insert(user_session).values(
            token_hash=token_digest(token), user_id=actor.id, created_at=to_db(now), last_seen_at=to_db(now),
            expires_at=to_db(now + SESSION_LIFETIME), ip=ip[:64]))
    return token


def actor_for_session(ctx: Services, token: str | None) -> Actor | None:
    """Return the user of a live session, refreshing its idle timer; None if it has ended."""
    if not token:
        return None
    now = ctx.clock.now()
    with ctx.db.read_one() as conn:
        rows = conn.execute(_SESSION_ACTOR, {"digest": token_digest(token)}).all()
    if not rows:
        return None
    row, actor = rows[0], to_actor(rows)
    if from_db(row.expires_at) <= now or from_db(row.last_seen_at) + SESSION_IDLE <= now:
        return None
    if now - from_db(row.last_seen_at) > timedelta(minutes=1):
        with ctx.db.write() as conn:
            conn.execute(update(user_session).where(user_session.c.token_hash == row.token_hash)
                         .values(last_seen_at=to_db(now)))
    return actor


def end_session(ctx: Services, token: str | None) -> None:
    """End a session for good (sign-out)."""
    if token:
        with ctx.db.write() as conn:
            conn.execute(delete(user_session).where(user_session.c.token_hash == token_digest(token)))


def create_api_token(ctx: Services, username: str, password: str, ip: str) -> dict[str, Any]:
    """Check the password and return a new bearer token with its expiry."""
    actor = authenticate(ctx, username, password, ip)
    token, now = secrets.token_urlsafe(32), ctx.clock.now()
    with ctx.db.write() as conn:
        conn.execute(insert(api_token).values(token_hash=token_digest(token), user_id=actor.id,
                                              created_at=to_db(now), expires_at=to_db(now + TOKEN_LIFETIME)))
    return {"token": token, "token_type": "Bearer", "expires_at": (now + TOKEN_LIFETIME).isoformat()}


def revoke_api_token(ctx: Services, token: str | None) -> bool:
    """Revoke a bearer token for good; return False if it was not a live token."""
    if not token:
        return False
    with ctx.db.write() as conn:
        done = conn.execute(update(api_token).where(
            api_token.c.token_hash == token_digest(token), api_token.c.revoked_at.is_(None))
            .values(revoked_at=to_db(ctx.clock.now())))
    return done.rowcount == 1


def actor_for_token(ctx: Services, token: str | None) -> Actor | None:
    """Return the user of a valid bearer token, or None."""
    return actor_for_digest(ctx, token_digest(token)) if token else None


def actor_for_digest(ctx: Services, digest: str) -> Actor | None:
    """Return the user of a valid bearer token known by its digest (`token_digest`), or None."""
    with ctx.db.read_one() as conn:
        rows = fastpath.fetch_all(conn, TOKEN_ACTOR, {"digest": digest, "now": to_db(ctx.clock.now())})
    return to_actor(rows)


def sign_in(ctx: Services, username: str, password: str, ip: str) -> tuple[Actor, str]:
    """Check the password and open a new session; return the user and the session's secret token."""
    actor = authenticate(ctx, username, password, ip)
    return actor, start_session(ctx, actor, ip)
