"""A user's task list: `services.inbox.tasks_for`, and the bare SQL of `inbox_query` on a driver cursor."""
from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from time import perf_counter_ns
from typing import Any

from services.inbox import inbox_query, tasks_for
from services.users import load_actor

from bench.stats import summary
from bench.usecase import services


class TaskList:
    """The task list of one user on one populated database."""

    def __init__(self, backend: str, size: int, url: str, files_dir: Path, username: str) -> None:
        self.backend, self.size = backend, size
        self.ctx = services(url, files_dir)
        self.actor = load_actor(self.ctx, username)
        engine = self.ctx.db.engine
        self.sql = str(inbox_query(self.actor).compile(dialect=engine.dialect,
                                                       compile_kwargs={"literal_binds": True}))
        self.raw = engine.raw_connection()
        self.raw.detach()  # a connection of our own: autocommit reads, closed at the end
        if self.ctx.db.is_postgresql:
            self.raw.dbapi_connection.autocommit = True
        self.use_case_ns: list[int] = []
        self.sql_ns: list[int] = []
        self.rows = 0

    def time_use_case(self, keep: bool = True) -> None:
        """Time one call of `tasks_for` (checkout, read transaction, query, rows to dicts)."""
        started = perf_counter_ns()
        result = tasks_for(self.ctx, self.actor)
        elapsed = perf_counter_ns() - started
        if keep:
            self.use_case_ns.append(elapsed)
            self.rows = len(result)

    def time_sql(self, keep: bool = True) -> None:
        """Time the list's SQL alone: execute and fetch every row on a driver cursor."""
        cursor = self.raw.cursor()
        started = perf_counter_ns()
        cursor.execute(self.sql)
        cursor.fetchall()
        elapsed = perf_counter_ns() - started
        cursor.close()
        if keep:
            self.sql_ns.append(elapsed)

    def explain(self) -> dict[str, Any]:
        """Return the plan of the list's SQL (PostgreSQL: EXPLAIN (ANALYZE, BUFFERS), warm)."""
        cursor = self.raw.cursor()
        if self.ctx.db.is_postgresql:
            for _ in range(3):
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {self.sql}")
                lines = [row[0] for row in cursor.fetchall()]
            cursor.close()
            return {"plan": lines, "execution_ms": _ms(lines, "Execution Time"),
                    "planning_ms": _ms(lines, "Planning Time")}
        cursor.execute(f"EXPLAIN QUERY PLAN {self.sql}")
        lines = [str(row[-1]) for row in cursor.fetchall()]
        cursor.close()
        return {"plan": lines}

    def result(self) -> dict[str, Any]:
        """Return the timings, the number of listed tasks and the SQL."""
        return {"backend": self.backend, "instances": self.size, "user": self.actor.username,
                "tasks_listed": self.rows, "tasks_for": summary(self.use_case_ns),
                "bare_sql": summary(self.sql_ns), "sql": self.sql}

    def close(self) -> None:
        """Close the own connection and the pool."""
        self.raw.close()
        self.ctx.db.dispose()


def _ms(lines: Sequence[str], label: str) -> float | None:
    for line in lines:
        match = re.search(rf"{label}: ([0-9.]+) ms", line)
        if match:
            return float(match.group(1))
    return None


def measure(lists: Sequence[TaskList], runs: int, warmup: int) -> None:
    """Time every list *runs* times, interleaved so that noise falls on all of them alike."""
    for index in range(warmup + runs):
        keep = index >= warmup
        for task_list in lists:
            task_list.time_use_case(keep)
            task_list.time_sql(keep)
