"""Connections: one engine per database URL, write transactions that lock early."""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError, InterfaceError, OperationalError

SQLITE_BUSY_TIMEOUT_MS = 15_000
PING_AFTER_IDLE_SECONDS = 10.0


class DatabaseUnavailable(Exception):
    """The database cannot be reached, or its URL is not one; the message never shows a password."""


def safe_url(url: str) -> str:
    """Return *url* with its password hidden (or a placeholder if it is not a URL at all)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a database URL)"


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def normalize_url(url: str) -> str:
    """Return *url* with the psycopg 3 driver for plain PostgreSQL URLs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def _ping_after_idle(engine: Engine) -> None:
    """Check a pooled connection only when it sat idle a while: cheap checkouts, no stale sockets."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("stale pooled connection") from exc
        if not alive:
            raise DisconnectionError("stale pooled connection")


class Database:
    """A database and the two kinds of transaction the services use."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 5) -> None:
        try:
            self._open(url, echo, pool_size)
        except (ArgumentError, ImportError) as exc:
            raise DatabaseUnavailable(f"the database URL {safe_url(url)} cannot be used: {_first_line(exc)}") from exc

    def _open(self, url: str, echo: bool, pool_size: int) -> None:
        self.url = normalize_url(url)
        kind = make_url(self.url).get_backend_name()
        self.is_sqlite = kind == "sqlite"
        self.is_postgresql = kind == "postgresql"
        options: dict[str, Any] = {"echo": echo}
        if self.is_sqlite and ":memory:" in self.url:
            raise ValueError("an in-memory SQLite database cannot be shared; use a file")
        if self.is_sqlite:
            options["poolclass"] = None
        else:
            options.update(pool_size=pool_size, max_overflow=20)
        options = {k: v for k, v in options.items() if v is not None}
        self.engine: Engine = create_engine(self.url, **options)
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        else:
            _ping_after_idle(self.engine)

    def connect(self) -> Connection:
        """Return a new connection; raise DatabaseUnavailable (URL shown without password) if there is none."""
        try:
            return self.engine.connect()
        except (OperationalError, InterfaceError) as exc:
            raise DatabaseUnavailable(
                f"cannot connect to the database {safe_url(self.url)}: {_first_line(exc)}") from exc

    def ping(self) -> None:
        """Raise DatabaseUnavailable unless the database answers."""
        with self.connect():
            pass

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """Open one write transaction; it commits on success and rolls back on error."""
        with self.connect() as conn:
            if self.is_sqlite:
                conn.execution_options(sqlite_begin="IMMEDIATE")
            with conn.begin():
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """Open one read-only transaction (a consistent snapshot)."""
        with self.connect() as conn:
            transaction = conn.begin()
            try:
                yield conn
            finally:
                transaction.rollback()

    @contextmanager
    def read_one(self) -> Iterator[Connection]:
        """Open a connection for one read statement, which is its own consistent snapshot.

        No BEGIN and no ROLLBACK: on PostgreSQL it runs in autocommit, one round trip; on SQLite
        (the driver left in autocommit) a statement outside a transaction is its own read
        transaction. Use read() for several statements.
        """
        with self.connect() as conn:
            yield conn if self.is_sqlite else conn.execution_options(isolation_level="AUTOCOMMIT")

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

