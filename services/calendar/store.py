"""The calendar's rows: overrides, official years and the settings that track changes."""
from __future__ import annotations

import contextlib
import contextvars
import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Label, insert, select, update

from models.db import Database
from models.tables import calendar_override, calendar_year, system_setting
from services.calendar.days import Calendar, Override, library_versions
from services.clock import to_db

REVISION = "calendar.revision"
COMPUTED = "calendar.computed"


def get_setting(conn: Connection, key: str) -> str | None:
    """Return a system setting's value, or None."""
    return conn.execute(select(system_setting.c.value).where(system_setting.c.key == key)).scalar()


def put_setting(conn: Connection, key: str, value: str, now: datetime) -> None:
    """Insert or replace a system setting."""
    done = conn.execute(update(system_setting).where(system_setting.c.key == key)
                        .values(value=value, updated_at=to_db(now))).rowcount
    if not done:
        conn.execute(insert(system_setting).values(key=key, value=value, updated_at=to_db(now)))


def revision_column() -> Label[str | None]:
    """Return the calendar's stored revision as a column to read along with other rows (see `note_revision`)."""
    return (select(system_setting.c.value).where(system_setting.c.key == REVISION)
            .scalar_subquery().label("calendar_revision"))


def load(conn: Connection) -> Calendar:
    """Return the calendar with the overrides and official years stored in the database."""
    overrides = {r.day: Override(r.day, r.is_workday, r.name, r.source)
                 for r in conn.execute(select(calendar_override))}
    years = frozenset(conn.execute(select(calendar_year.c.year).where(calendar_year.c.official.is_(True))).scalars())
    return Calendar(overrides, years)


def fingerprint(calendar: Calendar) -> str:
    """Return a digest of what deadlines depend on: package versions, overrides and official years."""
    digest = hashlib.sha256(library_versions().encode())
    for day in sorted(calendar.overrides):
        digest.update(f"|{day.isoformat()}={int(calendar.overrides[day].is_workday)}".encode())
    digest.update(("|official=" + ",".join(map(str, sorted(calendar.official_years)))).encode())
    return digest.hexdigest()


def bump_revision(conn: Connection, now: datetime) -> None:
    """Record that the overrides changed, so every process reloads its calendar."""
    current = int(get_setting(conn, REVISION) or 0)
    put_setting(conn, REVISION, str(current + 1), now)


def year_rows(conn: Connection, year: int) -> dict[str, Any]:
    """Return a year's overrides and its official record."""
    overrides = conn.execute(select(calendar_override).where(
        calendar_override.c.day >= date(year, 1, 1), calendar_override.c.day < date(year + 1, 1, 1))
        .order_by(calendar_override.c.day)).all()
    record = conn.execute(select(calendar_year).where(calendar_year.c.year == year)).first()
    return {"overrides": [dict(r._mapping) for r in overrides], "record": dict(record._mapping) if record else None}


class CalendarCache:
    """One process's copy of the calendar, reloaded whenever the stored revision changes.

    Inside `using(conn)` the calendar is read through that connection, in the transaction that
    uses it (checked once, on first use): a worker advancing an instance sees the calendar as of
    its own transaction and opens no second one.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._revision: str | None = None
        self._calendar: Calendar | None = None

    def get(self, db: Database) -> Calendar:
        """Return the current calendar: the one of the enclosing `using` block, else checked in a read."""
        scope = _SCOPE.get()
        if scope is not None and scope.cache is self:
            if scope.calendar is None:
                scope.calendar = self.current(scope.conn, scope.revision)
            return scope.calendar
        with db.read() as conn:
            return self.current(conn)

    def current(self, conn: Connection, revision: str | None = None) -> Calendar:
        """Return the calendar as stored, checking the revision on *conn* unless the caller read it there."""
        revision = revision or get_setting(conn, REVISION) or "0"
        with self._lock:
            if self._calendar is not None and revision == self._revision:
                return self._calendar
        calendar = load(conn)
        with self._lock:
            self._calendar, self._revision = calendar, revision
        return calendar

    def note_revision(self, revision: str | None) -> None:
        """Tell the enclosing `using` block the revision its transaction holds, read along with other rows.

        The calendar is then checked without reading the revision again. Outside such a block, or
        once the block has read it, this does nothing.
        """
        scope = _SCOPE.get()
        if scope is not None and scope.cache is self and scope.revision is None and scope.calendar is None:
            scope.revision = revision or "0"

    @contextlib.contextmanager
    def using(self, conn: Connection, revision: str | None = None) -> Iterator[None]:
        """Read the calendar through *conn* (lazily, once) for the duration of the block.

        *revision*, if given, is the calendar revision the caller already read in this transaction.
        """
        token = _SCOPE.set(_Scope(self, conn, revision))
        try:
            yield
        finally:
            _SCOPE.reset(token)


@dataclass
class _Scope:
    cache: CalendarCache
    conn: Connection
    revision: str | None = None
    calendar: Calendar | None = None


_SCOPE: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar("calendar_scope", default=None)
