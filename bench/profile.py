"""Where the time of `complete_task` goes: ``python -m bench.profile [--backend B] [--cprofile]``.

Wraps the steps of the use case with timers (a handful of calls per completion, so the
numbers are not distorted the way a tracing profiler distorts SpiffWorkflow's many small
calls), times every SQL statement at the driver, and prints the share of each step.
Nothing is changed on disk: the wrappers live in this process only.
"""
from __future__ import annotations

import argparse
import cProfile
import importlib
import pstats
import sys
from collections import defaultdict
from collections.abc import Callable
from time import perf_counter_ns
from typing import Any

from sqlalchemy import Connection, event

from bench.scratch import Scratch
from bench.usecase import FundProjectUseCase, LinearUseCase, services

# (label, module, attribute): steps of complete_task that do not contain one another, in call order.
# Steps the current code does not have are skipped (and listed), so refactoring never breaks this.
STEPS = [
    ("pool checkout (+ pre-ping)", None, "raw_connection"),
    ("lock: joined SELECT (driver)", "models.fastpath", "lock_task"),
    ("model cache lookup", "services.tasks", "model_by_id"),
    ("form: resolve (cached) + bank options", "services.tasks", "resolved_form"),
    ("form validation + file check", "services.tasks", "_validated"),
    ("separation-of-duty check", "services.tasks", "_check_separation"),
    ("restore workflow", "engine.runtime", "restore"),
    ("ready_tasks (before + after)", "engine.runtime", "ready_tasks"),
    ("complete + engine steps", "engine.runtime", "complete"),
    ("current_data/end_status/next_timer", "engine.runtime", "current_data"),
    ("current_data/end_status/next_timer", "engine.runtime", "end_status"),
    ("current_data/end_status/next_timer", "engine.runtime", "next_timer"),
    ("serialize (runtime.dump)", "engine.runtime", "dump"),
    ("bank lookup", "services.steps", "_bank_org"),
    ("task projection: UPDATE/INSERT human_task", "services.steps", "_project_tasks"),
    ("project row + running totals (totals.follow)", "services.oversight.totals", "follow"),
    ("domain hook (on_task_completed)", "services.tasks", "on_task_completed"),
    ("documents", "services.tasks", "record_documents"),
    ("writes: instance, tasks, audit (driver batch)", "models.fastpath", "write"),
    ("audit INSERT", "services.audit", "record"),
    ("COMMIT", None, "do_commit"),
]


class StepTimer:
    """Accumulates the time spent in each wrapped step while switched on."""

    def __init__(self, ctx: Any) -> None:
        self.ctx, self.on, self.calls = ctx, False, 0
        self.total_ns = 0
        self.ns: dict[str, int] = defaultdict(int)
        self.sql_ns = 0
        self.execute_ns: dict[str, int] = defaultdict(int)
        self._undo: list[Callable[[], None]] = []
        self.missing: list[str] = []
        self._started = 0

    def _wrap(self, owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name, None)
        if original is None:
            self.missing.append(f"{getattr(owner, '__name__', owner)}.{name}")
            return

        def timed(*args: Any, **kwargs: Any) -> Any:
            if not self.on:
                return original(*args, **kwargs)
            started = perf_counter_ns()
            try:
                return original(*args, **kwargs)
            finally:
                self.ns[label] += perf_counter_ns() - started

        setattr(owner, name, timed)
        self._undo.append(lambda: setattr(owner, name, original))

    def __enter__(self) -> StepTimer:
        engine = self.ctx.db.engine
        for label, module, name in STEPS:
            owner = importlib.import_module(module) if module else (
                engine if name == "raw_connection" else engine.dialect)
            self._wrap(owner, name, label)
        self._wrap_execute()
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        self._undo.append(lambda: event.remove(engine, "before_cursor_execute", self._before))
        self._undo.append(lambda: event.remove(engine, "after_cursor_execute", self._after))
        return self

    def _wrap_execute(self) -> None:
        original = Connection.execute

        def execute(conn: Connection, statement: Any, *args: Any, **kwargs: Any) -> Any:
            if not self.on:
                return original(conn, statement, *args, **kwargs)
            table = getattr(getattr(statement, "table", None), "name", "")
            kind = f"{type(statement).__name__.upper()} {table}".strip()
            started = perf_counter_ns()
            try:
                return original(conn, statement, *args, **kwargs)
            finally:
                self.execute_ns[kind] += perf_counter_ns() - started

        Connection.execute = execute  # type: ignore[method-assign]
        self._undo.append(lambda: setattr(Connection, "execute", original))

    def __exit__(self, *_exc: Any) -> None:
        while self._undo:
            self._undo.pop()()

    def _before(self, conn: Any, *_args: Any) -> None:
        conn.info["bench_sql_started"] = perf_counter_ns()

    def _after(self, conn: Any, *_args: Any) -> None:
        if self.on:
            self.sql_ns += perf_counter_ns() - conn.info.pop("bench_sql_started")

    def start(self) -> None:
        """Begin timing one complete_task call."""
        self.calls += 1
        self.on = True
        self._started = perf_counter_ns()

    def stop(self) -> None:
        """End timing the current call."""
        self.total_ns += perf_counter_ns() - self._started
        self.on = False

    def render(self, title: str) -> str:
        """Return a table of ms per completion and share of the total per step."""
        per = lambda ns: ns / self.calls / 1e6  # noqa: E731
        lines = [f"{title}: {self.calls} completions, {per(self.total_ns):.3f} ms each",
                 f"{'step':44} {'ms':>7} {'share':>6}"]
        for label, ns in sorted(self.ns.items(), key=lambda item: -item[1]):
            lines.append(f"{label:44} {per(ns):7.3f} {ns / self.total_ns:6.1%}")
        other = self.total_ns - sum(self.ns.values())
        lines.append(f"{'other: UPDATE process_instance, BEGIN, glue':44} {per(other):7.3f} "
                     f"{other / self.total_ns:6.1%}")
        lines.append("across the steps above:")
        for kind, ns in sorted(self.execute_ns.items(), key=lambda item: -item[1]):
            lines.append(f"{'  Connection.execute ' + kind:44} {per(ns):7.3f} {ns / self.total_ns:6.1%}")
        lines.append(f"{'  of all SQL: time inside the driver':44} {per(self.sql_ns):7.3f} "
                     f"{self.sql_ns / self.total_ns:6.1%}")
        if self.missing:
            lines.append(f"not found in the current code (skipped): {', '.join(self.missing)}")
        return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Profile the linear (or fund project) complete_task path on one backend."""
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--fund-project", action="store_true", help="profile declare → review → assign_bank")
    parser.add_argument("--instances", type=int, default=100)
    parser.add_argument("--cprofile", action="store_true", help="also print cProfile's top functions")
    args = parser.parse_args(argv)
    scratch = Scratch()
    try:
        ctx = services(getattr(scratch, args.backend)("profile"), scratch.files_dir("profile"))
        runner = (FundProjectUseCase if args.fund_project else LinearUseCase)("profile", ctx)
        for _ in range(10):
            runner.run_once(keep=False)
        with StepTimer(ctx) as timer:
            for _ in range(args.instances):
                runner.run_once(timer, keep=False)
        print(timer.render(f"complete_task, {'fund_project' if args.fund_project else 'linear'}, {args.backend}"))
        if args.cprofile:
            profiler = cProfile.Profile()
            profiler.runcall(lambda: [runner.run_once(keep=False) for _ in range(args.instances)])
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        ctx.db.dispose()
    finally:
        scratch.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
