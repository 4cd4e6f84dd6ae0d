"""Sign-in throttling: who may try a password now, decided and recorded atomically.

- Per (account, client) pair: 5 failures in 15 minutes lock that pair only, so nobody can lock a
  user out from elsewhere, and people behind one proxy do not share a fate.
- Per account: from 50 failures in 15 minutes (an attack from many clients) every attempt on the
  account must wait a delay that grows with the failures (at most a minute): slower, never locked,
  so the right password still gets in. A client that signed in to the account in the last 30 days
  (the user's own machine) is not slowed down at all, so an attacker cannot starve it.

Admission takes a lock on the account (PostgreSQL: a transaction-level advisory lock; SQLite:
the write transaction is BEGIN IMMEDIATE), counts, and records the attempt as a failure before
the slow password check runs outside the lock; a success then marks it so. Parallel attempts
therefore always see each other.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from typing import Any

from sqlalchemy import Connection, Select, exists, func, insert, select, update

from models.tables import login_attempt
from services.clock import from_db, to_db
from services.context import Services
from services.errors import ServiceError

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
ACCOUNT_CEILING = 50
ACCOUNT_DELAY_STEP = 10  # the delay doubles every this many failures over the ceiling
FIRST_ACCOUNT_DELAY = timedelta(seconds=2)
MAX_ACCOUNT_DELAY = timedelta(seconds=60)
KNOWN_CLIENT_PERIOD = timedelta(days=30)
PAIR_LOCKED = "Too many failed sign-ins. Try again in 15 minutes."
ACCOUNT_SLOWED = "Too many failed sign-ins for this user from many places. Wait a minute and try again."


class TooManyAttempts(ServiceError):
    """Too many failed sign-ins; wait *retry_after* seconds before trying again."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


@dataclass(frozen=True)
class Attempt:
    """An admitted sign-in attempt, recorded as a failure until its password is found right."""

    id: int


def account_delay(failures: int) -> timedelta:
    """Return how long an account with *failures* recent failures waits between attempts."""
    if failures < ACCOUNT_CEILING:
        return timedelta(0)
    doublings = (failures - ACCOUNT_CEILING) // ACCOUNT_DELAY_STEP
    return min(MAX_ACCOUNT_DELAY, FIRST_ACCOUNT_DELAY * 2 ** min(doublings, 16))


def _lock_account(ctx: Services, conn: Connection, username: str) -> None:
    if ctx.db.is_postgresql:
        key = int.from_bytes(hashlib.sha256(f"sign-in:{username}".encode()).digest()[:8], "big", signed=True)
        conn.execute(select(func.pg_advisory_xact_lock(key)))


def _failures(username: str, since: datetime) -> Select[Any]:
    return select(login_attempt.c.at).where(
        login_attempt.c.username == username, login_attempt.c.success.is_(False),
        login_attempt.c.at >= to_db(since))


def _seconds(delta: timedelta) -> int:
    return math.ceil(delta.total_seconds())


def _check_pair(conn: Connection, username: str, ip: str, now: datetime) -> None:
    query = _failures(username, now - FAILURE_WINDOW).where(login_attempt.c.ip == ip)
    fifth = conn.execute(query.order_by(login_attempt.c.at.desc()).limit(1).offset(MAX_FAILURES - 1)).scalar()
    if fifth is not None:
        raise TooManyAttempts(PAIR_LOCKED, _seconds(from_db(fifth) + FAILURE_WINDOW - now))


def _known_client(conn: Connection, username: str, ip: str, now: datetime) -> bool:
    signed_in = exists().where(login_attempt.c.username == username, login_attempt.c.ip == ip,
                               login_attempt.c.success.is_(True),
                               login_attempt.c.at >= to_db(now - KNOWN_CLIENT_PERIOD))
    return bool(conn.execute(select(signed_in)).scalar())


def _check_account(conn: Connection, username: str, ip: str, now: datetime) -> None:
    failures = conn.execute(select(func.count()).select_from(
        _failures(username, now - FAILURE_WINDOW).subquery())).scalar_one()
    delay = account_delay(failures)
    if not delay or _known_client(conn, username, ip, now):
        return
    last = conn.execute(select(func.max(login_attempt.c.at)).where(login_attempt.c.username == username)).scalar()
    wait = from_db(last) + delay - now if last is not None else timedelta(0)
    if wait > timedelta(0):
        raise TooManyAttempts(ACCOUNT_SLOWED, _seconds(wait))


def admit(ctx: Services, conn: Connection, username: str, ip: str, now: datetime) -> Attempt:
    """Lock the account, refuse a throttled attempt, and record this one as a failure (same transaction)."""
    _lock_account(ctx, conn, username)
    _check_pair(conn, username, ip, now)
    _check_account(conn, username, ip, now)
    attempt_id = conn.execute(insert(login_attempt).values(
        username=username, ip=ip[:64], at=to_db(now), success=False)).inserted_primary_key[0]
    return Attempt(attempt_id)


def succeeded(conn: Connection, attempt: Attempt) -> None:
    """Mark an admitted attempt as a successful sign-in."""
    conn.execute(update(login_attempt).where(login_attempt.c.id == attempt.id).values(success=True))
