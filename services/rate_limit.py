"""Fixed-window request limits shared by every server process (a row per client and purpose).

Used where an anonymous caller can make the server work hard, such as verifying an uploaded PDF:
each (purpose, client) may be admitted *hits* times per *window*; beyond that the caller is told
how long to wait. The count lives in the database so that every worker of a production server
sees the same one; admission is a short write transaction of its own, taken before the work.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from models.tables import rate_window
from services.clock import from_db, to_db
from services.context import Services
from services.throttle import TooManyAttempts

PURGE_AFTER = timedelta(hours=1)
KEY_LENGTH = 120


@dataclass(frozen=True)
class Limit:
    """At most *hits* admissions per *window* for one purpose and client."""

    purpose: str
    hits: int
    window: timedelta
    message: str


VERIFY = Limit("verify", 20, timedelta(minutes=1),
               "Too many verifications from this address. Wait a minute and try again.")


def _lock(ctx: Services, conn: Connection, key: str, now: datetime) -> tuple[datetime, int] | None:
    query = select(rate_window.c.window_start, rate_window.c.hits).where(rate_window.c.key == key)
    row = conn.execute(query.with_for_update() if ctx.db.is_postgresql else query).first()
    return (from_db(row.window_start), row.hits) if row is not None else None


def _start_window(conn: Connection, key: str, now: datetime, exists: bool) -> None:
    if exists:
        conn.execute(update(rate_window).where(rate_window.c.key == key).values(window_start=to_db(now), hits=1))
    else:
        conn.execute(insert(rate_window).values(key=key, window_start=to_db(now), hits=1))


def _create_row(ctx: Services, conn: Connection, key: str, now: datetime) -> None:
    """Make sure the row exists before locking it (two first requests may race on PostgreSQL)."""
    if ctx.db.is_postgresql:
        conn.execute(pg_insert(rate_window).values(key=key, window_start=to_db(now - timedelta(days=1)), hits=0)
                     .on_conflict_do_nothing(index_elements=[rate_window.c.key]))


def admit(ctx: Services, limit: Limit, client: str) -> None:
    """Count one admission of *client* for *limit*, or raise TooManyAttempts with the wait."""
    key = f"{limit.purpose}:{client}"[:KEY_LENGTH]
    now = ctx.clock.now()
    with ctx.db.write() as conn:
        _create_row(ctx, conn, key, now)
        found = _lock(ctx, conn, key, now)
        if found is None or found[0] + limit.window <= now:
            _start_window(conn, key, now, found is not None)
            return
        start, hits = found
        if hits >= limit.hits:
            wait = start + limit.window - now
            raise TooManyAttempts(limit.message, math.ceil(wait.total_seconds()))
        conn.execute(update(rate_window).where(rate_window.c.key == key).values(hits=rate_window.c.hits + 1))


def purge(ctx: Services) -> int:
    """Delete the windows that ended long ago; return how many."""
    with ctx.db.write() as conn:
        old = to_db(ctx.clock.now() - PURGE_AFTER)
        return conn.execute(delete(rate_window).where(rate_window.c.window_start < old)).rowcount
