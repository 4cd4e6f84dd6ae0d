"""A fresh database for one load or crash run, removed afterwards unless asked to keep it.

Without a URL: a SQLite file in the run's folder. A PostgreSQL URL names a server (and a database
to connect to for administration): the run creates a database of its own there and drops it at the
end; it never writes to the database the URL names. A SQLite URL must name a file that does not exist yet.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from models.db import normalize_url

PREFIX = "yikatong_run_"


@contextmanager
def fresh_database(url: str | None, folder: Path, keep: bool = False) -> Iterator[str]:
    """Yield the URL of an empty database for this run; drop it afterwards (PostgreSQL) unless *keep*."""
    if not url:
        yield f"sqlite:///{folder / 'run.sqlite3'}"
        return
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and Path(parsed.database).exists():
            raise SystemExit(f"{parsed.database} exists: a run needs a fresh database, give a new file name")
        yield url
        return
    name = f"{PREFIX}{uuid.uuid4().hex[:8]}"
    admin = create_engine(parsed, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
