"""Issuing an official document inside a step's transaction: render, seal, store the file, record the row.

This is what the payment notice, acceptance report and plan signoff steps add to `complete_task`
(informative: the brief sets no target). Measured on a scratch SQLite database with the demo CA.
"""
from __future__ import annotations

from collections.abc import Callable
from time import perf_counter_ns
from typing import Any

from documents import Document, samples
from models.db import Database
from services.context import Services
from services.instances import start_instance
from services.official.issue import issue
from services.official.keys import ensure_demo_ca
from services.users import load_actor

from bench.scratch import Scratch
from bench.stats import summary


def _documents() -> dict[str, Callable[[], Document]]:
    return {"fund_plan": samples.fund_plan, "acceptance_report": samples.acceptance_report,
            "payment_notice": samples.payment_notice}


def measure_issue(runs: int, scratch: Scratch, warmup: int = 1) -> dict[str, Any]:
    """Time `issue` (render + seal + store + insert, one transaction) for each kind of document."""
    ctx = Services(db=Database(scratch.sqlite("issue")), files_dir=scratch.files_dir("issue"))
    try:
        ensure_demo_ca(ctx, environ={})
        instance_id = start_instance(ctx, load_actor(ctx, "health_user"), "fund_project")["instance_id"]
        results: dict[str, Any] = {}
        for kind, make in _documents().items():
            doc, times = make(), []
            for index in range(warmup + runs):
                started = perf_counter_ns()
                with ctx.db.write() as conn:
                    issue(ctx, conn, instance_id, doc, actor_id=None, task_id=None, at=ctx.clock.now())
                if index >= warmup:
                    times.append(perf_counter_ns() - started)
            results[kind] = summary(times)
        return results
    finally:
        ctx.db.dispose()


def issue_rows(results: dict[str, Any]) -> list[tuple[str, ...]]:
    """Return the table rows of the issuing results."""
    return [("doc", f"{kind}: issue in a step (render + seal + store + row), SQLite", str(s["n"]),
             f"{s['median_ms']:.1f} ms", f"{s['p90_ms']:.1f} ms", "", "info", "-")
            for kind, s in results.get("documents_issue", {}).items()]
