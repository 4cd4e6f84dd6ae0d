"""Shared fixtures: a migrated, seeded database per test on SQLite and (when configured) PostgreSQL."""
from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from models.db import Database, normalize_url
from models.migrate import upgrade
from models.tables import metadata
from services.clock import FixedClock
from services.context import Services
from services.demo import seed_demo
from tests.support import NOON

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
SEEDED_TABLES = ["organization", "app_user", "user_role", "process_model", "card_function"]


def _seed(url: str, files: Path) -> None:
    ctx = Services(db=Database(url), files_dir=files)
    upgrade(ctx.db.engine)
    seed_demo(ctx)
    ctx.db.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated and seeded once per run."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.sqlite3"
    _seed(f"sqlite:///{path}", folder / "files")
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[tuple[str, dict[str, list[dict[str, Any]]]]]:
    """A PostgreSQL database of this run, migrated and seeded, with a snapshot of the seed rows."""
    assert PG_URL, "TEST_DATABASE_URL is not set"
    admin_url = normalize_url(PG_URL)
    name = f"yikatong_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    _seed(url, Path("/tmp") / name)
    engine = create_engine(url)
    with engine.connect() as conn:
        snapshot = {t: [dict(r._mapping) for r in conn.execute(select(metadata.tables[t]))] for t in SEEDED_TABLES}
    engine.dispose()
    yield url, snapshot
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _reset_postgresql(db: Database, snapshot: dict[str, list[dict[str, Any]]]) -> None:
    tables = ", ".join(t.name for t in metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        for name in SEEDED_TABLES:
            rows = snapshot[name]
            if rows:
                conn.execute(insert(metadata.tables[name]), rows)
            if "id" in metadata.tables[name].c:
                conn.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"COALESCE((SELECT max(id) FROM {name}), 0) + 1, false)"))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend a test runs on."""
    return request.param


def fresh_services(backend: str, request: pytest.FixtureRequest, folder: Path) -> Services:
    """Return services on a fresh copy of the seeded database of *backend*, files under *folder*."""
    if backend == "sqlite":
        path = folder / "test.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        db = Database(f"sqlite:///{path}")
    else:
        url, snapshot = request.getfixturevalue("pg_database")
        db = Database(url, pool_size=20)
        _reset_postgresql(db, snapshot)
    return Services(db=db, files_dir=folder / "files", clock=FixedClock(NOON))


@pytest.fixture
def services(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Services]:
    """Services on a fresh copy of the seeded database."""
    ctx = fresh_services(backend, request, tmp_path)
    yield ctx
    ctx.db.dispose()
