"""Turn the results into the one table the benchmark prints, with the targets and verdicts."""
from __future__ import annotations

from typing import Any

from bench.documents import document_rows
from bench.issue import issue_rows
from bench.stats import ratio

# Targets of the performance brief (/work/shared/PERFORMANCE.md).
TARGETS = {
    "floor_sqlite": 2.0,              # complete_task ÷ (b + one durable commit)
    "floor_postgresql": 2.5,          # complete_task ÷ (b + one durable commit)
    "http_production": 1.3,           # HTTP through gunicorn ÷ the complete_task use case
    "http_sqlite": 4.0,               # × b, through the JSON API with Flask's test client
    "list_growth": 1.5,               # list at 100k ÷ the same list at 1k
    "list_sql_ms": 1.0,               # the list's SQL, sub-millisecond
    "dashboard_pg_ms": 50.0,          # each dashboard query on PostgreSQL
    "state_ratio": 0.5,               # ours ÷ SpiffWorkflow's default JSON ("about half")
}
BACKENDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
HEADER = ("", "what", "n", "median", "p90", "ratio", "target", "met")
VERBS = ("BEGIN", "SELECT", "UPDATE", "INSERT", "DELETE")


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f} ms"


def _x(value: float | None, unit: str) -> str:
    return "-" if value is None else f"{value:.2f}× {unit}"


def _met(ok: bool | None) -> str:
    return "-" if ok is None else ("yes" if ok else "NO")


def _size(count: int) -> str:
    return f"{count // 1000}k" if count % 1000 == 0 else str(count)


def _completion_rows(results: dict[str, Any]) -> list[tuple[str, ...]]:
    if "completion" not in results:
        return []
    paths, floor = results["completion"], results["completion"]["floor_b"]["median_ms"]
    rows = []
    for key, label, target in (
        ("engine_in_memory", "(a) engine in memory: complete + engine steps", None),
        ("floor_b", "(b) floor b: restore, complete, engine steps, dump", None),
        ("complete_task_sqlite", "(c) complete_task, SQLite", None),
        ("complete_task_postgresql", "(c) complete_task, PostgreSQL", None),
        ("http_sqlite", "(d) complete over HTTP (API, test client), SQLite", TARGETS["http_sqlite"]),
        ("http_postgresql", "(d) complete over HTTP (API, test client), PostgreSQL", None),
        ("fund_project_sqlite", "(c') fund_project declare→review→assign_bank, SQLite", None),
        ("fund_project_postgresql", "(c') fund_project declare→review→assign_bank, PostgreSQL", None),
    ):
        if key not in paths:
            continue
        s = paths[key]
        times_b = ratio(s["median_ms"], floor)
        rows.append(("task", label, str(s["n"]), _ms(s["median_ms"]), _ms(s["p90_ms"]),
                     _x(times_b, "b"), f"≤ {target}× b" if target else "info",
                     _met(times_b <= target if target and times_b is not None else None)))
        for step, step_summary in s.get("by_step", {}).items():
            rows.append(("", f"    {step}", str(step_summary["n"]), _ms(step_summary["median_ms"]),
                         _ms(step_summary["p90_ms"]), _x(ratio(step_summary["median_ms"], floor), "b"), "info", "-"))
    return rows


def _floor_rows(results: dict[str, Any]) -> list[tuple[str, ...]]:
    """The durable floor per backend, complete_task against it, and HTTP through gunicorn against the use case."""
    rows = []
    paths = results.get("completion", {})
    for backend, floor in results.get("durable_floor", {}).items():
        name = BACKENDS[backend]
        commit = paths[f"durable_commit_{backend}"]
        rows.append(("floor", f"(f) one durable commit (one-row UPDATE, Database.write), {name}", str(commit["n"]),
                     _ms(commit["median_ms"]), _ms(commit["p90_ms"]), _x(ratio(commit["median_ms"], floor["b_ms"]), "b"),
                     "info", "-"))
        rows.append(("floor", f"(f) durable floor = b + one durable commit, {name}", "", _ms(floor["floor_ms"]), "",
                     "", "", ""))
        times, target = floor["complete_task_times_floor"], TARGETS[f"floor_{backend}"]
        rows.append(("floor", f"(c) complete_task ÷ durable floor, {name}", "",
                     _ms(paths[f"complete_task_{backend}"]["median_ms"]), "", _x(times, "floor"),
                     f"≤ {target}× floor", _met(times <= target if times is not None else None)))
        production = paths.get(f"http_production_{backend}")
        if production:
            times, target = floor["http_production_times_use_case"], TARGETS["http_production"]
            rows.append(("floor", f"(e) complete over HTTP, gunicorn --production 3×4, keep-alive, {name}",
                         str(production["n"]), _ms(production["median_ms"]), _ms(production["p90_ms"]),
                         _x(times, "(c)"), f"≤ {target}× (c)", _met(times <= target if times is not None else None)))
            rows += _empty_rows(paths, floor, backend, name)
    return rows


def _empty_rows(paths: dict[str, Any], floor: dict[str, Any], backend: str, name: str) -> list[tuple[str, ...]]:
    """The application's least request on the same server, and HTTP's best case: the use case plus it."""
    empty, flask = paths.get(f"http_empty_{backend}"), paths.get(f"http_flask_{backend}")
    if not empty:
        return []
    use_case = paths[f"complete_task_{backend}"]["median_ms"]
    served = paths.get(f"complete_task_served_{backend}")
    as_served = [] if not served else [
        ("floor", f"(c~) complete_task as a server runs it: token checked in it, after a 2 ms idle pause, {name}",
         str(served["n"]), _ms(served["median_ms"]), _ms(served["p90_ms"]),
         _x(ratio(served["median_ms"], use_case), "(c)"), "info", "-"),
        ("floor", f"(e) ÷ (c~): what HTTP adds to the use case as served, {name}", "", "", "",
         _x(ratio(paths[f"http_production_{backend}"]["median_ms"], served["median_ms"]), "(c~)"), "info", "-")]
    through_flask = as_served + ([] if not flask else [
        ("floor", f"(e') the same through Flask, not the completion lane, {name}", str(flask["n"]),
         _ms(flask["median_ms"]), _ms(flask["p90_ms"]), _x(ratio(flask["median_ms"], use_case), "(c)"), "info", "-")])
    return through_flask + [
        ("floor", f"(e0) least request: GET /health, same server and connection, {name}", str(empty["n"]),
         _ms(empty["median_ms"]), _ms(empty["p90_ms"]), _x(ratio(empty["median_ms"], use_case), "(c)"), "info", "-"),
        ("floor", f"(e0) best case over HTTP = (c) + least request, {name}", "",
         _ms(floor["http_empty_plus_use_case_ms"]), "", _x(floor["http_empty_plus_use_case_times_use_case"], "(c)"),
         "info", "-"),
        ("floor", f"(e) ÷ best case over HTTP, {name}", "", "", "",
         _x(floor["http_production_times_empty_plus_use_case"], "best"), "info", "-"),
    ] + _gunicorn_floor_rows(paths, floor, backend, name)


def _gunicorn_floor_rows(paths: dict[str, Any], floor: dict[str, Any], backend: str,
                         name: str) -> list[tuple[str, ...]]:
    """gunicorn serving a fixed answer: the least HTTP through this server adds to the use case."""
    bare = paths.get("http_gunicorn_floor")
    if not bare:
        return []
    use_case = paths[f"complete_task_{backend}"]["median_ms"]
    rows = [("floor", f"(e00) gunicorn's own floor: (e)'s settings, request and client, a fixed answer, {name}",
             str(bare["n"]), _ms(bare["median_ms"]), _ms(bare["p90_ms"]), _x(ratio(bare["median_ms"], use_case), "(c)"),
             "info", "-"),
            ("floor", f"(e00) least over gunicorn = (c) + (e00), {name}", "", "", "",
             _x(floor["gunicorn_floor_plus_use_case_times_use_case"], "(c)"), "info", "-")]
    if floor.get("gunicorn_floor_plus_served_times_use_case") is not None:
        rows.append(("floor", f"(e00) least as served = (c~) + (e00), {name}", "", "", "",
                     _x(floor["gunicorn_floor_plus_served_times_use_case"], "(c)"), "info", "-"))
    return rows + _gunicorn_commit_rows(paths, floor, backend, name)


def _gunicorn_commit_rows(paths: dict[str, Any], floor: dict[str, Any], backend: str,
                          name: str) -> list[tuple[str, ...]]:
    """gunicorn committing (f)'s write before its fixed answer: what waiting on the database adds when served."""
    served_commit = paths.get(f"http_gunicorn_commit_{backend}")
    if not served_commit or floor.get("gunicorn_commit_beyond_ms") is None:
        return []
    use_case = paths[f"complete_task_{backend}"]["median_ms"]
    rows = [("floor", f"(e01) gunicorn serving (f)'s commit, no application, {name}", str(served_commit["n"]),
             _ms(served_commit["median_ms"]), _ms(served_commit["p90_ms"]),
             _x(ratio(served_commit["median_ms"], use_case), "(c)"), "info", "-"),
            ("floor", f"(e01) − (f) − (e00): serving a request that waits on the database, beyond both, {name}", "",
             _ms(floor["gunicorn_commit_beyond_ms"]), "", "", "info", "-")]
    if floor.get("gunicorn_commit_plus_served_times_use_case") is not None:
        rows.append(("floor", f"(e01) least as served, waiting included = (c~) + (e00) + that, {name}", "", "", "",
                     _x(floor["gunicorn_commit_plus_served_times_use_case"], "(c)"), "info", "-"))
    return rows


def _statement_rows(results: dict[str, Any]) -> list[tuple[str, ...]]:
    rows = []
    for key, counts in results.get("statements", {}).items():
        path, backend = key.rsplit("_", 1)
        verbs = {verb: sum(v for k, v in counts["statement_kinds_per_call"].items() if k.split()[0] == verb)
                 for verb in VERBS}
        kinds = ", ".join(f"{verb} {n:.3g}" for verb, n in verbs.items() if n)
        rows.append(("SQL", f"per complete_task, {path.replace('_', ' ')}, {BACKENDS[backend]}: {kinds}",
                     str(counts["calls"]), f"{counts['statements_per_call']:.3g} stmts",
                     f"{counts['commits_per_call']:.3g} commit", f"{counts['checkouts_per_call']:.3g} checkout",
                     "info", "-"))
    return rows


def _list_rows(results: dict[str, Any]) -> list[tuple[str, ...]]:
    rows = []
    lists = results.get("task_list", {})
    for backend, by_size in lists.items():
        sizes = sorted(by_size, key=int)
        small, large = by_size[sizes[0]], by_size[sizes[-1]]
        for field, label in (("tasks_for", "tasks_for"), ("bare_sql", "bare SQL of inbox_query")):
            for size in sizes:
                s = by_size[size][field]
                growth = ratio(s["median_ms"], small[field]["median_ms"]) if size != sizes[0] else None
                ok = None
                # "Sub-millisecond SQL" is the database's own time: SQLite runs in this process, so
                # its bare SQL is that time; PostgreSQL's is EXPLAIN ANALYZE's execution time below.
                in_process = field == "bare_sql" and backend == "sqlite"
                if growth is not None:
                    ok = growth <= TARGETS["list_growth"]
                    if in_process:
                        ok = ok and s["median_ms"] < TARGETS["list_sql_ms"]
                target = "-" if growth is None else f"≤ {TARGETS['list_growth']}× {_size(int(sizes[0]))}"
                if growth is not None and in_process:
                    target += ", < 1 ms"
                rows.append(("list", f"{BACKENDS[backend]}, {_size(int(size))} instances: {label} "
                             f"({by_size[size]['tasks_listed']} tasks)", str(s["n"]), _ms(s["median_ms"]),
                             _ms(s["p90_ms"]), _x(growth, _size(int(sizes[0]))) if growth else "", target, _met(ok)))
        explain = large.get("explain", {})
        if explain.get("execution_ms") is not None:
            rows.append(("list", f"{BACKENDS[backend]}, {_size(int(sizes[-1]))} instances: EXPLAIN ANALYZE "
                         "execution time", "1", _ms(explain["execution_ms"]), "", "", "< 1 ms",
                         _met(explain["execution_ms"] < TARGETS["list_sql_ms"])))
    return rows


DASHBOARD_CASES = (
    ("overview", "dashboard counts/amounts + payments overdue/due soon"),
    ("first_page", "dashboard list, first page, newest first, with total"),
    ("filtered_page", "dashboard list, one bank's year, first page"),
    ("filtered_sorted_page", "dashboard list, one bank's completed, by paid (info)"),
    ("ledger", "ledger page query, one year, every bank (supervisor)"),
    ("ledger_bank", "ledger page query, one year, a bank's own rows"),
    ("plans", "plans page query, one year, every bank, first page (supervisor)"),
    ("plans_bureau", "plans page query, one year, every bank, first page, with proposal (bureau)"),
    ("plans_bank", "plans page query, one year, a bank's own plans"),
)


def _dashboard_rows(results: dict[str, Any]) -> list[tuple[str, ...]]:
    rows = []
    for backend, by_size in results.get("dashboard", {}).items():
        sizes = sorted(by_size, key=int)
        for case, label in DASHBOARD_CASES:
            small = by_size[sizes[0]][case]["median_ms"]
            for size in sizes:
                s = by_size[size][case]
                growth = ratio(s["median_ms"], small) if size != sizes[0] else None
                informative = case == "filtered_sorted_page"
                ok = None
                target = "-"
                if growth is not None and not informative:
                    ok = growth <= TARGETS["list_growth"]
                    target = f"≤ {TARGETS['list_growth']}× {_size(int(sizes[0]))}"
                    if backend == "postgresql":
                        ok = ok and s["median_ms"] < TARGETS["dashboard_pg_ms"]
                        target += f", < {TARGETS['dashboard_pg_ms']:g} ms"
                rows.append(("dash", f"{BACKENDS[backend]}, {_size(int(size))} instances: {label} "
                             f"({s.get('total')} {s.get('unit', 'projects')})", str(s["n"]), _ms(s["median_ms"]), _ms(s["p90_ms"]),
                             _x(growth, _size(int(sizes[0]))) if growth else "", "info" if informative else target,
                             _met(ok)))
    return rows


def _state_rows(results: dict[str, Any]) -> list[tuple[str, ...]]:
    state = results.get("state")
    if not state:
        return []
    return [("state", f"stored state, fund_project after {state['steps']} steps: ours vs default "
             f"{state['default_bytes']:,} B (spec {state['default_spec_bytes']:,} B)", "1",
             f"{state['ours_bytes']:,} B", "", _x(state["ratio"], "default"),
             f"≈ {TARGETS['state_ratio']}× default", _met(state["ratio"] <= TARGETS["state_ratio"] * 1.1))]


def rows(results: dict[str, Any]) -> list[tuple[str, ...]]:
    """Return the table's rows, header first."""
    return [HEADER, *_completion_rows(results), *_floor_rows(results), *_statement_rows(results), *_list_rows(results),
            *_dashboard_rows(results), *_state_rows(results), *document_rows(results),
            *issue_rows(results)]


def render(results: dict[str, Any]) -> str:
    """Return the results as one aligned text table with a title line."""
    table = rows(results)
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADER))]
    meta = results["meta"]
    lines = [f"yikatong benchmark ({meta['mode']}) {meta['started']} — Python {meta['python']}, "
             f"SpiffWorkflow {meta['spiffworkflow']}, SQLAlchemy {meta['sqlalchemy']}, "
             f"{meta['postgresql'] or 'no PostgreSQL'}, {meta['cpus']} CPUs"]
    for index, row in enumerate(table):
        cells = [cell.ljust(widths[i]) if i in (0, 1, 6, 7) else cell.rjust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    if meta.get("load_average_start"):
        lines.append("load average (1, 5, 15 min) at start " + ", ".join(f"{x:.2f}" for x in meta["load_average_start"])
                     + " and end " + ", ".join(f"{x:.2f}" for x in meta.get("load_average_end", ())))
    if meta.get("notes"):
        lines.extend(f"note: {note}" for note in meta["notes"])
    lines.append(f"run time {meta['seconds']:.1f} s; JSON in {meta['json']}")
    return "\n".join(lines)
