"""The fund use plans page's query on a populated database: `services.plans.overview.plans_overview`.

Called as the page `/plans/` calls it (first page, the last page if past it): for one year, as a
supervisor and as the bureau (every bank; the bureau also gets the proposed moves of the draft
plans) and as a bank (its own plans). The plans each come with their full table, so the page's work
grows with the projects of the year, which the population spreads over a bank's quarterly plans.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event

from services.plans.overview import plans_overview
from services.users import load_actor

from bench.tasklist import _ms

# 2021 is the first year of the generated history, so it exists at every size.
PLAN_YEAR = 2021
PLAN_USERS = {"plans": "supervisor", "plans_bureau": "hrss_clerk", "plans_bank": "icbc_user"}


def plan_calls(ctx: Any) -> dict[str, Callable[[], dict[str, Any]]]:
    """Return the plans page's call for each of the measured users."""
    actors = {case: load_actor(ctx, username) for case, username in PLAN_USERS.items()}
    return {case: (lambda a=a: plans_overview(ctx, a, PLAN_YEAR, page=1, last_if_past=True))
            for case, a in actors.items()}


def plan_shape(result: dict[str, Any]) -> dict[str, Any]:
    """Return how many plans the year has and how many plan rows (projects) this page lists."""
    rows = sum(len(plan["items"]) for bank in result["banks"] for plan in bank["plans"])
    assert result["total"] and rows, "the benchmark's plans page must not be empty"
    return {"total": result["total"], "unit": f"plans, {rows} rows", "plan_rows": rows,
            "proposed_moves": len(result["proposal"])}


def statements_of(ctx: Any, call: Callable[[], Any]) -> list[tuple[str, Any]]:
    """Return the SQL statements (with their parameters) one call of *call* sends."""
    sent: list[tuple[str, Any]] = []

    def listen(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        sent.append((statement, parameters))

    event.listen(ctx.db.engine, "before_cursor_execute", listen)
    try:
        call()
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", listen)
    return sent


def explain_plans(ctx: Any, call: Callable[[], Any]) -> list[dict[str, Any]]:
    """Return the plan of each SELECT the call sends (PostgreSQL: EXPLAIN ANALYZE, warm)."""
    found = []
    with ctx.db.read() as conn:
        for statement, parameters in statements_of(ctx, call):
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            if ctx.db.is_postgresql:
                lines = [r[0] for r in conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)]
                found.append({"sql": statement, "plan": lines, "execution_ms": _ms(lines, "Execution Time")})
            else:
                plan = [str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
                found.append({"sql": statement, "plan": plan})
    return found
