"""(c) The `complete_task` use case on a real database, and the statements it sends."""
from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path
from time import perf_counter_ns
from typing import Any

from sqlalchemy import event

from models import fastpath
from models.db import Database
from services.auth import create_api_token, token_digest
from services.bearer import Bearer
from services.context import Services
from services.demo import DEMO_PASSWORD
from services.files import store_file
from services.instances import start_instance
from services.tasks import complete_task
from services.users import load_actor

from bench.engine_paths import STEPS, step_data
from bench.fund_data import FUND_PROJECT, first_steps

_KIND = re.compile(r"\s*(SELECT|INSERT|UPDATE|DELETE|BEGIN)\b(?:\s+INTO\s+(\S+)|\s+(?!INTO)(?:.*?\bFROM\s+)?(\S+))?",
                   re.IGNORECASE | re.DOTALL)
# A minimal PDF header: enough for the upload check to accept it as a PDF.
PDF = b"%PDF-1.4\n% yikatong benchmark attachment\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def ready_ids(result: dict[str, Any]) -> list[str]:
    """Return the ids of the ready tasks in a use case's result."""
    return [item["id"] if isinstance(item, dict) else item for item in result["ready"]]


def services(url: str, files_dir: Path) -> Services:
    """Return the use cases' dependencies for the database at *url*."""
    return Services(db=Database(url), files_dir=files_dir)


class StatementCounter:
    """Counts the SQL statements, commits and connection checkouts sent while it is switched on."""

    def __init__(self, ctx: Services) -> None:
        self.engine = ctx.db.engine
        self.on = False
        self.calls: list[dict[str, int]] = []
        self.kinds: Counter[str] = Counter()
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "commit", self._commit)
        event.listen(self.engine.pool, "checkout", self._checkout)
        self._originals = (fastpath.lock_task, fastpath.write)
        fastpath.lock_task, fastpath.write = self._counted_lock, self._counted_write

    def _counted_lock(self, conn: Any, task_id: str) -> Any:
        self._driver(["lock"])
        return self._originals[0](conn, task_id)

    def _counted_write(self, conn: Any, batch: Any) -> Any:
        self._driver([name for name, rows in batch if rows])
        return self._originals[1](conn, batch)

    def _driver(self, names: list[str]) -> None:
        """Count statements sent on the driver connection (models.fastpath), which SQLAlchemy does not see."""
        if self.on:
            self.calls[-1]["statements"] += len(names)
            for name in names:
                self.kinds[f"{fastpath.sql(self.engine.dialect.name, name).split(None, 1)[0]} ({name}, driver)"] += 1

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self.on:
            self.calls[-1]["statements"] += 1
            self.kinds[statement_kind(statement)] += 1

    def _commit(self, _conn: Any) -> None:
        if self.on:
            self.calls[-1]["commits"] += 1

    def _checkout(self, *_args: Any) -> None:
        if self.on:
            self.calls[-1]["checkouts"] += 1

    def start(self) -> None:
        """Begin counting one use case call."""
        self.calls.append({"statements": 0, "commits": 0, "checkouts": 0})
        self.on = True

    def stop(self) -> None:
        """End counting the current call."""
        self.on = False

    def remove(self) -> None:
        """Detach the listeners."""
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "commit", self._commit)
        event.remove(self.engine.pool, "checkout", self._checkout)
        fastpath.lock_task, fastpath.write = self._originals

    def report(self) -> dict[str, Any]:
        """Return statements, commits and checkouts per call, and the statement kinds."""
        n = len(self.calls) or 1
        return {
            "calls": len(self.calls),
            "statements_per_call": sum(c["statements"] for c in self.calls) / n,
            "commits_per_call": sum(c["commits"] for c in self.calls) / n,
            "checkouts_per_call": sum(c["checkouts"] for c in self.calls) / n,
            "statement_kinds_per_call": {k: v / n for k, v in sorted(self.kinds.items())},
        }


def statement_kind(statement: str) -> str:
    """Return a statement's verb and main table, e.g. "UPDATE process_instance"."""
    match = _KIND.match(statement)
    if match is None:
        return statement.split(None, 1)[0].upper() if statement.strip() else "?"
    verb, table = match.group(1).upper(), match.group(2) or match.group(3) or ""
    return f"{verb} {table.strip(chr(34))}".strip()


def _timed_complete(ctx: Services, actor: Any, task_id: str, data: dict[str, Any],
                    counter: StatementCounter | None) -> tuple[int, dict[str, Any]]:
    if counter:
        counter.start()
    started = perf_counter_ns()
    result = complete_task(ctx, actor, task_id, data)
    elapsed = perf_counter_ns() - started
    if counter:
        counter.stop()
    return elapsed, result


class LinearUseCase:
    """(c) Start an instance of the linear diagram, then time `complete_task` on each of its tasks."""

    def __init__(self, name: str, ctx: Services) -> None:
        self.name, self.ctx = name, ctx
        self.actor = load_actor(ctx, "hrss_clerk")

    def run_once(self, counter: StatementCounter | None = None, keep: bool = True) -> list[int]:
        """Run one instance to its end; return the time of each completion."""
        result = start_instance(self.ctx, self.actor, "bench_linear")
        samples = []
        for step in range(1, STEPS + 1):
            (task_id,) = ready_ids(result)
            elapsed, result = _timed_complete(self.ctx, self.actor, task_id, step_data(step), counter)
            samples.append(elapsed)
        assert result["status"] == "completed", result
        return samples


class ServedUseCase(LinearUseCase):
    """(c~) `complete_task` called as the completion lane calls it in a server worker.

    The caller is a `Bearer` (the token is verified in the completion's transaction) and each
    completion follows a pause (untimed) like the idle gap between two requests, after which
    caches are colder than in the hot loop of (c).
    """

    PAUSE_SECONDS = 0.002

    def __init__(self, name: str, ctx: Services) -> None:
        super().__init__(name, ctx)
        token = create_api_token(ctx, "hrss_clerk", DEMO_PASSWORD, "127.0.0.1")["token"]
        self.digest = token_digest(token)

    def run_once(self, counter: StatementCounter | None = None, keep: bool = True) -> list[int]:
        """Run one instance to its end, pausing before each completion; return the time of each."""
        result = start_instance(self.ctx, self.actor, "bench_linear")
        samples = []
        for step in range(1, STEPS + 1):
            (task_id,) = ready_ids(result)
            time.sleep(self.PAUSE_SECONDS)
            elapsed, result = _timed_complete(self.ctx, Bearer(self.digest), task_id, step_data(step), None)
            samples.append(elapsed)
        return samples


class FundProjectUseCase:
    """(c') The fund project's first steps: declare → review → assign_bank, each its own user."""

    STEPS = ("declare", "review", "assign_bank")

    def __init__(self, name: str, ctx: Services) -> None:
        self.name, self.ctx = name, ctx
        self.department = load_actor(ctx, "health_user")
        self.actors = {"declare": self.department, "review": load_actor(ctx, "bdc_reviewer"),
                       "assign_bank": load_actor(ctx, "hrss_clerk")}
        sha = store_file(ctx, self.department, "feasibility.pdf", PDF)["sha256"]
        self.data = dict(first_steps(sha)[:len(self.STEPS)])
        self.by_step: dict[str, list[int]] = {step: [] for step in self.STEPS}

    def run_once(self, counter: StatementCounter | None = None, keep: bool = True) -> list[int]:
        """Start a project and complete its first three tasks; return their times."""
        result = start_instance(self.ctx, self.department, FUND_PROJECT)
        samples = []
        for step in self.STEPS:
            (task_id,) = ready_ids(result)
            elapsed, result = _timed_complete(self.ctx, self.actors[step], task_id, self.data[step], counter)
            samples.append(elapsed)
            if keep:
                self.by_step[step].append(elapsed)
        return samples


def count_statements(runner: Any, instances: int = 2) -> dict[str, Any]:
    """Run *instances* instances through *runner* and count what each completion sent."""
    counter = StatementCounter(runner.ctx)
    try:
        for _ in range(instances):
            runner.run_once(counter, keep=False)
    finally:
        counter.remove()
    return counter.report()
