"""The few statements every task completion runs, sent straight to the database driver.

They are rendered once per dialect from the Core tables and run on the driver connection
inside the caller's SQLAlchemy transaction: no statement compilation or result processing per
call. On PostgreSQL a batch of writes goes out in one pipeline, one round trip.
"""
from __future__ import annotations

import functools
from collections import namedtuple
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, Select, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from models.tables import audit_event, human_task, process_instance

LOCK_COLUMNS = (
    human_task.c.id.label("task_id"), human_task.c.task_name, human_task.c.lane, human_task.c.org_id,
    human_task.c.status.label("task_status"), human_task.c.form_patch, human_task.c.title.label("task_title"),
    human_task.c.assignee_id, process_instance.c.id, process_instance.c.model_id, process_instance.c.process_id,
    process_instance.c.version, process_instance.c.status, process_instance.c.stage, process_instance.c.title,
    process_instance.c.department_org_id, process_instance.c.bank_org_id, process_instance.c.state,
)
INSTANCE_COLUMNS = ("state", "version", "status", "stage", "updated_at", "title", "bank_org_id",
                    "next_timer_due", "completed_at")
TASK_COLUMNS = ("id", "instance_id", "task_name", "title", "lane", "org_id", "stage", "status", "form_patch",
                "created_at", "due_at", "due_provisional", "returned_by", "returned_from", "return_reason")
AUDIT_COLUMNS = ("at", "actor_id", "instance_id", "task_id", "event", "data")


class LockedTask(NamedTuple):
    """A task row joined with its instance, as read (and on PostgreSQL locked) for completion."""

    task_id: str
    task_name: str
    lane: str
    org_id: int | None
    task_status: str
    form_patch: str
    task_title: str
    assignee_id: int | None
    id: int
    model_id: int
    process_id: str
    version: int
    status: str
    stage: str
    title: str
    department_org_id: int | None
    bank_org_id: int | None
    state: bytes


_STATEMENTS = {
    "lock": select(*LOCK_COLUMNS).join(process_instance, process_instance.c.id == human_task.c.instance_id)
    .where(human_task.c.id == bindparam("task_id")),
    "save_instance": update(process_instance).where(
        process_instance.c.id == bindparam("instance_id"), process_instance.c.version == bindparam("old_version"))
    .values({c: bindparam(c) for c in INSTANCE_COLUMNS}),
    "close_task": update(human_task).where(human_task.c.id == bindparam("task_id")).values(
        status=bindparam("status"), completed_at=bindparam("completed_at"),
        completed_by=bindparam("completed_by")),
    "insert_task": insert(human_task).values({c: bindparam(c) for c in TASK_COLUMNS}),
    "audit": insert(audit_event).values({c: bindparam(c) for c in AUDIT_COLUMNS}),
}


@functools.cache
def sql(dialect: str, name: str) -> str:
    """Return statement *name* rendered for *dialect* with named parameters."""
    statement = _STATEMENTS[name]
    if name == "lock" and dialect == "postgresql":
        statement = statement.with_for_update()
    return str(statement.compile(dialect=_dialect(dialect)))


def _dialect(name: str) -> Any:
    return postgresql.psycopg.dialect() if name == "postgresql" else sqlite.dialect(paramstyle="named")


@functools.cache
def _read_statement(dialect: str, statement: Select[Any]) -> tuple[str, Any]:
    """Return a module-level SELECT rendered for *dialect*, and a row type named after its columns."""
    row_type = namedtuple("Row", [c.key for c in statement.selected_columns])  # type: ignore[misc]
    return str(statement.compile(dialect=_dialect(dialect))), row_type


def fetch_all(conn: Connection, statement: Select[Any], params: dict[str, Any]) -> list[Any]:
    """Run a read-only SELECT built once at import (never per call) on the driver; rows as named tuples.

    For reads on every request, such as the bearer token's: no statement compilation, parameter
    or result processing per call. Its columns must be plain texts and numbers.
    """
    sql_text, row_type = _read_statement(conn.dialect.name, statement)
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(sql_text, _params(conn.dialect.name, params))
        return [row_type(*row) for row in cursor.fetchall()]
    finally:
        cursor.close()


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def _params(dialect: str, row: dict[str, Any]) -> dict[str, Any]:
    if dialect == "sqlite":
        return {key: _sqlite_value(value) for key, value in row.items()}
    return row


def lock_task(conn: Connection, task_id: str) -> LockedTask | None:
    """Read a task with its instance; on PostgreSQL lock both rows until the transaction ends."""
    dialect, driver = conn.dialect.name, conn.connection.driver_connection
    cursor = driver.cursor()
    try:
        if dialect == "postgresql":
            # In a pipeline the driver's implicit BEGIN travels with the SELECT: one round trip, not two.
            with driver.pipeline():
                cursor.execute(sql(dialect, "lock"), {"task_id": task_id})
        else:
            cursor.execute(sql(dialect, "lock"), {"task_id": task_id})
        row = cursor.fetchone()
    finally:
        cursor.close()
    return LockedTask(*row) if row else None


def lock_task_and_read(conn: Connection, task_id: str, statement: Select[Any],
                       params: dict[str, Any]) -> tuple[list[Any], LockedTask | None]:
    """Run the read *statement* (see fetch_all), then lock_task; on PostgreSQL both in one round trip."""
    if conn.dialect.name != "postgresql":
        return fetch_all(conn, statement, params), lock_task(conn, task_id)
    driver = conn.connection.driver_connection
    read_sql, row_type = _read_statement("postgresql", statement)
    reader, locker = driver.cursor(), driver.cursor()
    try:
        with driver.pipeline():
            reader.execute(read_sql, params)
            locker.execute(sql("postgresql", "lock"), {"task_id": task_id})
        rows, row = [row_type(*r) for r in reader.fetchall()], locker.fetchone()
    finally:
        reader.close()
        locker.close()
    return rows, LockedTask(*row) if row else None


def write(conn: Connection, batch: Sequence[tuple[str, list[dict[str, Any]]]]) -> list[int]:
    """Run a batch of (statement name, parameter rows); return each statement's row count."""
    dialect, driver = conn.dialect.name, conn.connection.driver_connection
    work = [(sql(dialect, name), [_params(dialect, r) for r in rows]) for name, rows in batch if rows]
    cursors = [driver.cursor() for _ in work]
    try:
        if dialect == "postgresql":
            with driver.pipeline():
                _send(cursors, work)
        else:
            _send(cursors, work)
        return [cursor.rowcount for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()


def _send(cursors: list[Any], work: list[tuple[str, list[dict[str, Any]]]]) -> None:
    for cursor, (statement, rows) in zip(cursors, work):
        if len(rows) == 1:
            cursor.execute(statement, rows[0])
        else:
            cursor.executemany(statement, rows)
