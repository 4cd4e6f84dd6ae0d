"""Idempotency keys: a retried action answers what the original answered and changes nothing.

A key belongs to one user. The first request with it claims a row (unique per user and key) in a
transaction of its own; a racing retry finds the row and waits until the original stored its
answer. The answer is stored by the action itself, in the action's own transaction
(``answer_in``), so an action is never committed without its answer: a crash after the commit
leaves a retry the stored answer, a crash before it leaves nothing done. A claim still unanswered
ABANDONED_AFTER its start is taken over by the next retry (its original died before committing);
the answer is written only if the claim that ran the action still holds the key, so an original
that was merely slow rolls back instead of acting twice. Only successful answers are stored: a
refused action changed nothing, so its key is released and a retry runs again. Keys expire
KEY_LIFETIME after their first use.
"""
from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from models.tables import idempotency_key as keys
from services.clock import to_db
from services.context import Services
from services.errors import ConflictError, FieldError, ValidationError

KEY_LIFETIME = timedelta(hours=24)
WAIT_SECONDS = 10.0  # how long a retry waits for the original to finish
ABANDONED_AFTER = timedelta(minutes=2)  # an original still unfinished then is taken over by a retry
POLL_SECONDS = 0.02
HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class Stored:
    """The answer of the original request."""

    status: int
    body: bytes
    location: str | None


class KeyInUse(ConflictError):
    """The original request with this key has not finished."""


@dataclass
class Pending:
    """The claimed key of the request being handled, and how its answer is made from the action's result."""

    user_id: int
    key: str
    row_id: int
    render: Callable[[Any], Stored] | None = None
    stored: Stored | None = None  # the answer written in the action's transaction (durable once it commits)


_PENDING: ContextVar[Pending | None] = ContextVar("idempotency_pending", default=None)


@dataclass(frozen=True)
class Claimed:
    """The key is this request's: the id of its claim row."""

    row_id: int


@contextmanager
def pending(user_id: int, key: str, claimed: Claimed) -> Iterator[Pending]:
    """Mark *key* (claimed as *claimed*) as the key of the request handled inside the block."""
    token = _PENDING.set(Pending(user_id, key, claimed.row_id))
    try:
        yield _PENDING.get()  # type: ignore[misc]
    finally:
        _PENDING.reset(token)


def current() -> Pending | None:
    """Return the claimed key of the request being handled, if it carries one."""
    return _PENDING.get()


def answer_in(ctx: Services, conn: Connection, result: Any) -> None:
    """Store the answer of the request's claimed key in the action's own transaction *conn* (if any)."""
    claimed = _PENDING.get()
    if claimed is None or claimed.render is None or claimed.stored is not None:
        return
    answer = claimed.render(result)
    if _write_answer(ctx, conn, claimed.row_id, answer) != 1:
        raise KeyInUse("This request took too long: a retry with the same Idempotency-Key took it over, "
                       "so this one changed nothing.")
    claimed.stored = answer


def fingerprint(method: str, path: str, body: bytes) -> str:
    """Return the digest that tells one request from another under the same key."""
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def _mismatch() -> ValidationError:
    message = "This Idempotency-Key was used for a different request; use a new key for a new request."
    return ValidationError(message, [FieldError(HEADER, "idempotency_key_reused", message)])


def _where(user_id: int, key: str):  # type: ignore[no-untyped-def]
    return (keys.c.user_id == user_id) & (keys.c.key == key)


def _stale(row: Any, now: datetime) -> bool:
    """Return True if the claim *row* expired, or was never answered and its request is surely gone."""
    return row.created_at <= to_db(now - KEY_LIFETIME) or (
        row.status is None and row.created_at <= to_db(now - ABANDONED_AFTER))


def _try_claim(ctx: Services, user_id: int, key: str, digest: str) -> Stored | Claimed | None:
    """Claim the key, or return the stored answer, or None while the original runs."""
    now = ctx.clock.now()
    with ctx.db.write() as conn:
        row = conn.execute(select(keys).where(_where(user_id, key))).first()
        if row is not None and (row.fingerprint == digest or row.created_at <= to_db(now - KEY_LIFETIME)) \
                and _stale(row, now):
            # On PostgreSQL this waits for an original that is answering right now; then it deletes nothing.
            same = keys.c.status.is_(None) if row.status is None else keys.c.status == row.status
            gone = conn.execute(delete(keys).where(keys.c.id == row.id, same)).rowcount
            if gone != 1:
                return None
            row = None
        if row is None:
            return Claimed(conn.execute(insert(keys).values(
                user_id=user_id, key=key, fingerprint=digest, created_at=to_db(now))).inserted_primary_key[0])
    if row.fingerprint != digest:
        raise _mismatch()
    if row.status is not None:
        return Stored(row.status, row.body, row.location)
    return None


def claim(ctx: Services, user_id: int, key: str, digest: str) -> Stored | Claimed:
    """Reserve *key* for a new request, or return the original's answer once it is stored."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            outcome = _try_claim(ctx, user_id, key, digest)
        except IntegrityError:
            outcome = None  # a racing request inserted the key first
        if outcome is not None:
            return outcome
        if time.monotonic() >= deadline:
            raise KeyInUse("A request with this Idempotency-Key is still being handled; retry in a moment.")
        time.sleep(POLL_SECONDS)


def _write_answer(ctx: Services, conn: Connection, row_id: int, answer: Stored) -> int:
    return conn.execute(update(keys).where((keys.c.id == row_id) & keys.c.status.is_(None)).values(
        status=answer.status, body=answer.body, location=answer.location, completed_at=to_db(ctx.clock.now()))
    ).rowcount


def store(ctx: Services, claimed: Claimed, answer: Stored) -> None:
    """Record the answer of the request that claimed a key, for an action that did not store it itself."""
    with ctx.db.write() as conn:
        _write_answer(ctx, conn, claimed.row_id, answer)


def release(ctx: Services, claimed: Claimed) -> None:
    """Forget a claim whose request changed nothing, so that a retry runs again."""
    with ctx.db.write() as conn:
        conn.execute(delete(keys).where((keys.c.id == claimed.row_id) & keys.c.status.is_(None)))


def purge(ctx: Services) -> int:
    """Delete every key older than KEY_LIFETIME; return how many."""
    with ctx.db.write() as conn:
        return conn.execute(delete(keys).where(keys.c.created_at <= to_db(ctx.clock.now() - KEY_LIFETIME))).rowcount
