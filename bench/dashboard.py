"""The dashboard's queries on a populated database: the counts/amounts aggregate and the instance list."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from time import perf_counter_ns
from typing import Any

from services.clock import FixedClock
from services.money.ledger import ledger
from services.oversight import dashboard, listing
from services.oversight.filters import InstanceFilter, resolve
from services.oversight.listing import Sort
from services.users import load_actor

from bench.plan_lists import explain_plans, plan_calls, plan_shape
from bench.stats import summary
from bench.tasklist import _ms
from bench.usecase import services

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)
USER = "supervisor"
PER_PAGE = 20
# A supervisor's everyday question: one bank's projects of one year, newest first. 2021 is the
# first year of the generated history, so it exists at every size.
FILTERED = InstanceFilter(bank="bank-icbc", year=2021)
# Informative: a filter and a sort on different columns (the amount's index is walked, filtered).
FILTERED_SORTED = (InstanceFilter(bank="bank-icbc", status="completed"), Sort("paid_total", True))
# The ledger page's query: one year, every bank (supervisor) and one bank's own rows.
LEDGER_YEAR = 2021
LEDGER_BANK_USER = "icbc_user"
CASES = ("overview", "first_page", "filtered_page", "filtered_sorted_page", "ledger", "ledger_bank",
         "plans", "plans_bureau", "plans_bank")


class Dashboard:
    """The dashboard's calls for one user on one populated database."""

    def __init__(self, backend: str, size: int, url: str, files_dir: Path) -> None:
        self.backend, self.size = backend, size
        self.ctx = services(url, files_dir)
        self.ctx.clock = FixedClock(NOW)
        self.actor = load_actor(self.ctx, USER)
        bank_actor = load_actor(self.ctx, LEDGER_BANK_USER)
        self.calls: dict[str, Callable[[], dict[str, Any]]] = {
            "overview": lambda: dashboard.overview(self.ctx, self.actor),
            "first_page": lambda: dashboard.instance_page(self.ctx, self.actor, per_page=PER_PAGE),
            "filtered_page": lambda: dashboard.instance_page(self.ctx, self.actor, FILTERED, per_page=PER_PAGE),
            "filtered_sorted_page": lambda: dashboard.instance_page(
                self.ctx, self.actor, FILTERED_SORTED[0], FILTERED_SORTED[1], per_page=PER_PAGE),
            "ledger": lambda: ledger(self.ctx, self.actor, LEDGER_YEAR),
            "ledger_bank": lambda: ledger(self.ctx, bank_actor, LEDGER_YEAR),
            **plan_calls(self.ctx),  # the fund use plans page (bench/plan_lists.py)
        }
        self.samples: dict[str, list[int]] = {name: [] for name in self.calls}
        self.shape: dict[str, Any] = {}

    def time(self, keep: bool = True) -> None:
        """Time each call once."""
        for name, call in self.calls.items():
            started = perf_counter_ns()
            result = call()
            elapsed = perf_counter_ns() - started
            if keep:
                self.samples[name].append(elapsed)
                self.shape[name] = _shape(result)
            # Let it go before the next call, as a server does after its answer: the plans pages build
            # thousands of objects, and a previous answer still alive makes the next call's collections longer.
            del result

    def explain(self) -> dict[str, Any]:
        """Return the plans of the list queries (PostgreSQL: EXPLAIN ANALYZE execution time)."""
        plans: dict[str, Any] = {}
        with self.ctx.db.read() as conn:
            for name, flt, sort in (("first_page", InstanceFilter(), Sort()), ("filtered_page", FILTERED, Sort()),
                                    ("filtered_sorted_page", *FILTERED_SORTED)):
                query = listing.parts(resolve(conn, flt), sort, NOW)[0].limit(PER_PAGE)
                sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
                if self.ctx.db.is_postgresql:
                    lines = [r[0] for r in conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")]
                    plans[name] = {"plan": lines, "execution_ms": _ms(lines, "Execution Time")}
                else:
                    plans[name] = {"plan": [str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]}
        for name in ("plans", "plans_bank"):
            plans[name] = {"statements": explain_plans(self.ctx, self.calls[name])}
        return plans

    def result(self) -> dict[str, Any]:
        """Return the timings and what each call answered."""
        return {"backend": self.backend, "instances": self.size, "user": USER,
                **{name: {**summary(self.samples[name]), **self.shape.get(name, {})} for name in self.calls}}

    def close(self) -> None:
        """Close the pool."""
        self.ctx.db.dispose()


def _shape(result: dict[str, Any]) -> dict[str, Any]:
    if "banks" in result:
        return plan_shape(result)
    if "years" in result:
        lines = [line for block in result["years"] for bank in block["banks"] for line in bank["categories"]]
        assert lines and result["totals"]["allocated"], "the benchmark's ledger must not be empty"
        return {"total": len(lines), "unit": "lines", "paid": result["totals"]["paid"]}
    if "items" in result:
        assert result["items"], "the benchmark's list must not be empty"
        return {"total": result["total"], "rows": len(result["items"])}
    return {"total": result["total"], "amount_rows": len(result["amounts"]), "overdue": result["overdue"]["total"]}


def measure(boards: Sequence[Dashboard], runs: int, warmup: int) -> None:
    """Time every dashboard *runs* times, interleaved so that noise falls on all of them alike."""
    for index in range(warmup + runs):
        for board in boards:
            board.time(index >= warmup)
