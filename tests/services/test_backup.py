"""Backup and restore give a consistent copy of a database that is being written meanwhile."""
from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from models.db import Database, normalize_url
from models.migrate import code_head
from models.tables import app_user, audit_event
from services import backup
from services.context import Services
from services.errors import ConflictError, ValidationError
from tests.conftest import PG_URL

AT = datetime(2026, 9, 30, 4, 0)


@pytest.fixture
def empty_db(backend: str, tmp_path: Path) -> Iterator[Database]:
    """A new, empty database on the test's backend."""
    if backend == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'restored.sqlite3'}")
        yield db
        db.dispose()
        return
    admin = create_engine(normalize_url(PG_URL or ""), isolation_level="AUTOCOMMIT")
    name = f"yikatong_restore_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database(make_url(normalize_url(PG_URL or "")).set(database=name).render_as_string(hide_password=False))
    yield db
    db.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class Writer(threading.Thread):
    """Commits ticks 0, 1, 2 … each with its tock in the same transaction, until stopped."""

    def __init__(self, db: Database) -> None:
        super().__init__(daemon=True)
        self.db, self.stop, self.committed, self.error = db, threading.Event(), 0, None
        self.started_writing = threading.Event()

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                with self.db.write() as conn:
                    for event in ("tick", "tock"):
                        conn.execute(insert(audit_event).values(at=AT, event=event,
                                                                data=json.dumps({"n": self.committed})))
                self.committed += 1
                if self.committed >= 20:
                    self.started_writing.set()
        except Exception as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
            self.started_writing.set()


def _ticks(db: Database) -> dict[str, list[int]]:
    with db.read() as conn:
        rows = conn.execute(select(audit_event.c.event, audit_event.c.data)
                            .where(audit_event.c.event.in_(["tick", "tock"]))).all()
    found: dict[str, list[int]] = {"tick": [], "tock": []}
    for event, data in rows:
        found[event].append(json.loads(data)["n"])
    return {k: sorted(v) for k, v in found.items()}


def _backup_while_writing(services: Services, path: Path) -> tuple[dict[str, object], int, int]:
    writer = Writer(services.db)
    writer.start()
    assert writer.started_writing.wait(60)
    before = writer.committed
    result = backup.backup(services, path)
    after = writer.committed
    for _ in range(50):  # let the writer go on past the copy
        if writer.committed > after + 5:
            break
        writer.stop.wait(0.05)
    writer.stop.set()
    writer.join(60)
    assert writer.error is None
    return result, before, after


def test_a_backup_under_writes_restores_a_consistent_prefix(services: Services, empty_db: Database,
                                                          tmp_path: Path) -> None:
    path = tmp_path / "copy.backup"
    result, before, after = _backup_while_writing(services, path)
    assert result["revision"] == code_head() and result["bytes"] == path.stat().st_size > 0
    restored = backup.restore(Services(db=empty_db, files_dir=tmp_path), path)
    assert restored == {**restored, "revision": code_head(), "replaced": False}
    ticks = _ticks(empty_db)
    count = len(ticks["tick"])
    assert before <= count <= after + 1
    assert ticks == {"tick": list(range(count)), "tock": list(range(count))}
    assert count < len(_ticks(services.db)["tick"])  # the source went on; the copy is as of one commit
    with empty_db.read() as conn:
        assert conn.execute(select(app_user.c.username).where(app_user.c.username == "icbc_user")).scalar()
        if empty_db.is_sqlite:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


def test_restore_refuses_a_database_with_rows_unless_forced(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "copy.backup"
    backup.backup(services, path)
    with services.db.write() as conn:
        conn.execute(insert(audit_event).values(at=AT, event="tick", data=json.dumps({"n": 1})))
    with pytest.raises(ConflictError, match="not empty .* pass --force"):
        backup.restore(services, path)
    assert _ticks(services.db)["tick"] == [1]
    assert backup.restore(services, path, force=True)["replaced"] is True
    assert _ticks(services.db)["tick"] == []
    with services.db.read() as conn:
        assert conn.execute(select(app_user.c.id).where(app_user.c.username == "admin")).scalar()


def test_a_backup_never_overwrites_a_file_unless_forced(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "copy.backup"
    path.write_text("keep me")
    with pytest.raises(ConflictError, match="exists"):
        backup.backup(services, path)
    assert path.read_text() == "keep me"
    backup.backup(services, path, force=True)
    assert path.stat().st_size > 1000
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []


def test_restore_refuses_what_is_no_backup_of_this_kind(services: Services, tmp_path: Path) -> None:
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a database at all")
    with pytest.raises(ValidationError, match="neither a SQLite database nor a pg_dump archive"):
        backup.restore(services, junk)
    other = tmp_path / "other.backup"
    other.write_bytes((backup.PGDUMP_MAGIC if services.db.is_sqlite else backup.SQLITE_MAGIC) + b"\0" * 100)
    with pytest.raises(ValidationError, match="backup; the database"):
        backup.restore(services, other)
    with pytest.raises(ValidationError, match="no such file"):
        backup.restore(services, tmp_path / "missing.backup")
