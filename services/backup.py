"""Consistent copies of a live database: SQLite's online backup API, PostgreSQL's pg_dump and pg_restore.

A SQLite copy is taken in one step of the backup API, under one read transaction, so it is the
database as of one commit while writers go on; it is written beside its destination and renamed
into place. pg_dump reads one snapshot (a repeatable-read transaction) into its custom format;
pg_restore loads it in one transaction. A restore refuses a database that holds any row unless
forced, because it replaces what is there.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, literal, select, table

from models.db import Database, safe_url
from services.context import Services
from services.errors import ConflictError, ServiceError, ValidationError

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
BUSY_TIMEOUT_SECONDS = 60.0


def _sqlite_file(db: Database) -> Path:
    return Path(db.engine.url.database or "")


def _libpq(db: Database) -> tuple[str, dict[str, str]]:
    """Return the database's libpq URL without its password, and the environment that carries it."""
    url = db.engine.url
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return plain, env


def _run(tool: str, args: list[str], env: dict[str, str]) -> str:
    program = shutil.which(tool)
    if program is None:
        raise ServiceError(f"{tool} is not installed (Debian: apt-get install postgresql-client)")
    done = subprocess.run([program, *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        raise ServiceError(f"{tool} failed: {lines[0] if lines else f'exit code {done.returncode}'}")
    return done.stdout


def _kind_of(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise ValidationError(f"{path} is neither a SQLite database nor a pg_dump archive")


def _sqlite_check(connection: sqlite3.Connection, path: Path) -> str | None:
    verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
    if verdict != "ok":
        raise ValidationError(f"{path} fails SQLite's integrity check: {verdict}")
    try:
        return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise ValidationError(f"{path} is not a yikatong database (no migration revision)") from exc


def _backup_sqlite(db: Database, target: Path) -> str | None:
    source = sqlite3.connect(_sqlite_file(db), timeout=BUSY_TIMEOUT_SECONDS)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # pages=-1: the whole file in one step, one consistent read transaction
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        return _sqlite_check(copy, target)
    finally:
        copy.close()
        source.close()


def _backup_postgresql(db: Database, target: Path) -> str | None:
    url, env = _libpq(db)
    _run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", f"--file={target}", f"--dbname={url}"],
         env)
    with db.read() as conn:
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def backup(ctx: Services, path: Path, force: bool = False) -> dict[str, Any]:
    """Write a consistent copy of the live database to *path* (never over a file unless *force*)."""
    if path.exists() and not force:
        raise ConflictError(f"{path} exists; choose another path or pass --force")
    if path.is_dir() or not path.parent.is_dir():
        raise ValidationError(f"{path}: not a file in an existing folder")
    ctx.db.ping()
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        revision = (_backup_sqlite if ctx.db.is_sqlite else _backup_postgresql)(ctx.db, partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return {"database": safe_url(ctx.db.url), "path": str(path), "bytes": path.stat().st_size,
            "revision": revision}


def rows_present(db: Database) -> list[str]:
    """Return the tables of *db* that hold rows (the migration table not counted)."""
    names = [n for n in inspect(db.engine).get_table_names() if n != "alembic_version"]
    with db.read() as conn:
        return [n for n in names if conn.execute(select(literal(1)).select_from(table(n)).limit(1)).first()]


def _restore_sqlite(db: Database, path: Path) -> str | None:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        revision = _sqlite_check(source, path)
        target = sqlite3.connect(_sqlite_file(db), timeout=BUSY_TIMEOUT_SECONDS)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
    return revision


def _restore_postgresql(db: Database, path: Path) -> str | None:
    url, env = _libpq(db)
    try:
        _run("pg_restore", ["--list", str(path)], env)
    except ServiceError as exc:
        raise ValidationError(f"{path} is not a readable pg_dump archive: {exc}") from exc
    _run("pg_restore", ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
                        "--exit-on-error", f"--dbname={url}", str(path)], env)
    with db.read() as conn:
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def restore(ctx: Services, path: Path, force: bool = False) -> dict[str, Any]:
    """Replace the database's contents by the backup at *path*; refuse a database with rows unless *force*."""
    if not path.is_file():
        raise ValidationError(f"{path}: no such file")
    kind = _kind_of(path)
    if kind != ("sqlite" if ctx.db.is_sqlite else "postgresql"):
        raise ValidationError(f"{path} is a {kind} backup; the database {safe_url(ctx.db.url)} is not")
    ctx.db.ping()
    occupied = rows_present(ctx.db)
    if occupied and not force:
        raise ConflictError(f"the database {safe_url(ctx.db.url)} is not empty ({len(occupied)} tables hold "
                            f"rows, e.g. {occupied[0]}); pass --force to overwrite it")
    ctx.db.dispose()
    revision = (_restore_sqlite if ctx.db.is_sqlite else _restore_postgresql)(ctx.db, path)
    ctx.db.dispose()
    return {"database": safe_url(ctx.db.url), "path": str(path), "revision": revision, "replaced": bool(occupied)}
