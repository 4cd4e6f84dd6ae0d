"""Run the whole benchmark side by side in one process: ``python -m bench.run [--quick]``.

Prints one table and writes the same results to bench/results/latest.json. Everything it
creates (SQLite files in a temp folder, PostgreSQL databases named yikatong_bench_*) is
removed at the end, also when it fails or is interrupted.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from typing import Any

from sqlalchemy import create_engine, text

from models.db import normalize_url

from bench.documents import measure_documents
from bench.issue import measure_issue
from bench.engine_paths import Floor, InMemory, linear_model
from bench.population import populate
from bench.report import render
from bench.scratch import BENCH_DIR, PG_ADMIN_URL, Scratch
from bench.stats import ratio, summary
from bench.statesize import measure_state
from bench.dashboard import Dashboard, measure as measure_dashboards
from bench.tasklist import TaskList, measure
from bench.floor import DurableCommit, GunicornCommit, GunicornFloor, ProductionEmpty, ProductionFlask, ProductionHttp
from bench.http import HttpUseCase
from bench.usecase import FundProjectUseCase, LinearUseCase, ServedUseCase, count_statements, services

RESULTS = BENCH_DIR / "results" / "latest.json"
LIST_USER = "hrss_clerk"


@dataclass(frozen=True)
class Plan:
    """How much to measure."""

    mode: str
    warmup_instances: int
    instances: int          # each linear instance completes 5 tasks, each fund project 3
    list_sizes: tuple[int, int]
    running: int            # instances still open, each with one ready task
    list_runs: int
    list_warmup: int
    dashboard_runs: int
    documents_runs: int     # renders, seals and verifies of each document kind


FULL = Plan("full", warmup_instances=20, instances=100, list_sizes=(1_000, 100_000), running=400,
            list_runs=300, list_warmup=30, dashboard_runs=100, documents_runs=10)
QUICK = Plan("quick", warmup_instances=4, instances=20, list_sizes=(1_000, 10_000), running=400,
             list_runs=60, list_warmup=10, dashboard_runs=30, documents_runs=2)


def _completions(plan: Plan, scratch: Scratch, backends: list[str], production: bool = True) -> dict[str, Any]:
    model = linear_model()
    runners: list[Any] = [InMemory(model), Floor(model)]
    contexts, servers = [], []
    try:
        for backend in backends:
            url = getattr(scratch, backend)("uc")
            ctx = services(url, scratch.files_dir(f"uc-{backend}"))
            contexts.append(ctx)
            runners += [LinearUseCase(f"complete_task_{backend}", ctx),
                        ServedUseCase(f"complete_task_served_{backend}", ctx),
                        DurableCommit(f"durable_commit_{backend}", ctx),
                        HttpUseCase(f"http_{backend}", ctx),
                        FundProjectUseCase(f"fund_project_{backend}", ctx)]
            if production:
                servers.append(ProductionHttp(f"http_production_{backend}", ctx, scratch.files_dir(f"uc-{backend}")))
                runners += [servers[-1], ProductionFlask(f"http_flask_{backend}", servers[-1]),
                            ProductionEmpty(f"http_empty_{backend}", servers[-1])]
                servers.append(GunicornCommit(f"http_gunicorn_commit_{backend}", url,
                                              scratch.files_dir(f"gunicorn-commit-{backend}")))
                runners.append(servers[-1])
        if production and contexts:
            servers.append(GunicornFloor("http_gunicorn_floor", contexts[0].db.url, scratch.files_dir("gunicorn-floor")))
            runners.append(servers[-1])
        samples: dict[str, list[int]] = {r.name: [] for r in runners}
        for round_ in range(plan.warmup_instances + plan.instances):
            for runner in runners:  # interleaved, so that noise falls on every path alike
                measured = round_ >= plan.warmup_instances
                taken = runner.run_once(keep=measured)
                if measured:
                    samples[runner.name].extend(taken)
        result: dict[str, Any] = {"completion": {name: summary(s) for name, s in samples.items()}}
        floor = result["completion"]["floor_b"]["median_ms"]
        for name, s in result["completion"].items():
            s["times_b"] = ratio(s["median_ms"], floor)
        result["durable_floor"] = _durable_floors(result["completion"], backends)
        for runner in runners:
            if isinstance(runner, FundProjectUseCase):
                result["completion"][runner.name]["by_step"] = {k: summary(v) for k, v in runner.by_step.items()}
        result["statements"] = {r.name.replace("complete_task_", "linear_"): count_statements(r)
                                for r in runners if type(r) in (LinearUseCase, FundProjectUseCase)}
        return result
    finally:
        for server in servers:
            server.close()
        for ctx in contexts:
            ctx.db.dispose()


def _durable_floors(completion: dict[str, Any], backends: list[str]) -> dict[str, Any]:
    """Return per backend: b + one durable commit (medians), and the paths' ratios to it."""
    floors: dict[str, Any] = {}
    b = completion["floor_b"]["median_ms"]
    for backend in backends:
        commit = completion[f"durable_commit_{backend}"]["median_ms"]
        use_case = completion[f"complete_task_{backend}"]["median_ms"]
        production = completion.get(f"http_production_{backend}", {}).get("median_ms")
        empty = completion.get(f"http_empty_{backend}", {}).get("median_ms")
        best = use_case + empty if empty is not None else None
        bare = completion.get("http_gunicorn_floor", {}).get("median_ms")
        served = completion.get(f"complete_task_served_{backend}", {}).get("median_ms")
        waiting = _serving_a_commit(completion, backend, commit, bare)
        floors[backend] = {"b_ms": b, "commit_ms": commit, "floor_ms": b + commit,
                           "complete_task_times_floor": ratio(use_case, b + commit),
                           "http_production_times_use_case": ratio(production, use_case),
                           "http_empty_plus_use_case_ms": best,
                           "http_empty_plus_use_case_times_use_case": ratio(best, use_case),
                           "http_production_times_empty_plus_use_case": ratio(production, best),
                           "gunicorn_floor_plus_use_case_times_use_case":
                               None if bare is None else ratio(use_case + bare, use_case),
                           "gunicorn_floor_plus_served_times_use_case":
                               None if bare is None or served is None else ratio(served + bare, use_case),
                           "gunicorn_commit_beyond_ms": waiting,
                           "gunicorn_commit_plus_served_times_use_case":
                               None if None in (bare, served, waiting) else ratio(served + bare + waiting, use_case)}
    return floors


def _serving_a_commit(completion: dict[str, Any], backend: str, commit: float, bare: float | None) -> float | None:
    """Return (e01) − (f) − (e00): what serving a request that waits on the database adds beyond both."""
    served_commit = completion.get(f"http_gunicorn_commit_{backend}", {}).get("median_ms")
    return None if served_commit is None or bare is None else served_commit - commit - bare


def _task_lists(plan: Plan, scratch: Scratch, backends: list[str]) -> dict[str, Any]:
    """Populate a database per backend and size; measure the task list and the dashboard on each."""
    lists: list[TaskList] = []
    boards: list[Dashboard] = []
    loaded: dict[str, Any] = {}
    try:
        for backend in backends:
            for size in plan.list_sizes:
                url = getattr(scratch, backend)(f"list{size}")
                started = time.perf_counter()
                rows = populate(url, size, plan.running)
                loaded[f"{backend}_{size}"] = {**rows, "seconds": round(time.perf_counter() - started, 1)}
                lists.append(TaskList(backend, size, url, scratch.files_dir("list"), LIST_USER))
                boards.append(Dashboard(backend, size, url, scratch.files_dir("list")))
        measure(lists, plan.list_runs, plan.list_warmup)
        measure_dashboards(boards, plan.dashboard_runs, plan.list_warmup)
        result: dict[str, Any] = {"task_list": {}, "dashboard": {}}
        for task_list in lists:
            entry = {**task_list.result(), "explain": task_list.explain(),
                     "rows_loaded": loaded[f"{task_list.backend}_{task_list.size}"]}
            result["task_list"].setdefault(task_list.backend, {})[str(task_list.size)] = entry
        for board in boards:
            result["dashboard"].setdefault(board.backend, {})[str(board.size)] = {
                **board.result(), "explain": board.explain()}
        return result
    finally:
        for task_list in lists:
            task_list.close()
        for board in boards:
            board.close()


def _meta(plan: Plan, backends: list[str], notes: list[str]) -> dict[str, Any]:
    server = None
    if "postgresql" in backends:
        engine = create_engine(normalize_url(PG_ADMIN_URL))
        with engine.connect() as conn:
            server = "PostgreSQL " + conn.execute(text("SHOW server_version")).scalar_one().split()[0]
        engine.dispose()
    return {
        "mode": plan.mode, "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(), "spiffworkflow": metadata.version("SpiffWorkflow"),
        "sqlalchemy": metadata.version("SQLAlchemy"), "postgresql": server, "cpus": os.cpu_count(),
        "plan": plan.__dict__, "notes": notes, "load_average_start": os.getloadavg(), "json": str(RESULTS.relative_to(BENCH_DIR.parent)),
    }


def run(plan: Plan, scratch: Scratch, with_postgresql: bool, lists_only: bool = False,
        completions_only: bool = False, production: bool = True) -> dict[str, Any]:
    """Measure everything; return the results."""
    backends, notes = ["sqlite"], []
    if with_postgresql:
        reason = scratch.postgresql_available()
        if reason is None:
            backends.append("postgresql")
        else:
            notes.append(f"PostgreSQL skipped: {reason}")
    results: dict[str, Any] = {"meta": _meta(plan, backends, notes)}
    if not lists_only:
        results.update(_completions(plan, scratch, backends, production))
    if completions_only:
        return results
    results.update(_task_lists(plan, scratch, backends))
    if not lists_only:
        results["state"] = measure_state()
        results["documents"] = measure_documents(plan.documents_runs)
        results["documents_issue"] = measure_issue(plan.documents_runs, scratch)
    return results


def _stop_on_sigterm() -> None:
    def handler(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)  # unwinds through the finally that drops the databases
    signal.signal(signal.SIGTERM, handler)


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run, print the table and write the JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run that finishes in under a minute")
    parser.add_argument("--no-postgresql", action="store_true", help="measure SQLite only")
    parser.add_argument("--lists-only", action="store_true", help="measure only the task list and the dashboard")
    parser.add_argument("--completions-only", action="store_true",
                        help="measure only the completions (floor, use case, HTTP) and their statements")
    parser.add_argument("--no-production", action="store_true",
                        help="leave out completion over HTTP through gunicorn (yikatong serve --production)")
    args = parser.parse_args(argv)
    _stop_on_sigterm()
    plan = QUICK if args.quick else FULL
    wall = time.perf_counter()
    scratch = Scratch()
    try:
        results = run(plan, scratch, with_postgresql=not args.no_postgresql, lists_only=args.lists_only,
                      completions_only=args.completions_only, production=not args.no_production)
    finally:
        dropped = scratch.close()
    results["meta"]["dropped_databases"] = dropped
    results["meta"]["seconds"] = time.perf_counter() - wall
    results["meta"]["load_average_end"] = os.getloadavg()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(render(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
