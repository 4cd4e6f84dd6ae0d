"""Load test: ``python -m bench.load --users 50 --time 60s [--database-url URL]``.

Prepares a fresh database (demo data and --projects declared projects), serves it on loopback
with the timer worker beside it (bench/serving.py), runs locust headless for the given time
(--time bounds the whole run: the ramp, in which every user signs in, and the measured window
after it; the statistics restart when the last user has signed in, and the report gives both
lengths), then stops the server and checks: every completion acknowledged with a 2xx is in the database
exactly once, no completion happened that was not acknowledged, and `yikatong check` finds no
violation. Prints throughput and p50/p95/p99 per action; exit 1 on an error or a violation.
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench import serving
from bench.crash import lost_acknowledged
from bench.fresh import fresh_database
from bench.workload import prepare
from models.tables import audit_event, human_task
from services import integrity
from services.context import Services

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
COLUMNS = {"requests": "Request Count", "failures": "Failure Count", "rps": "Requests/s",
           "p50": "50%", "p95": "95%", "p99": "99%", "max": "Max Response Time"}


def _last_event(ctx: Services) -> int:
    with ctx.db.read() as conn:
        return int(conn.execute(select(func.coalesce(func.max(audit_event.c.id), 0))).scalar_one())


def _completions_since(ctx: Services, after: int) -> list[str]:
    with ctx.db.read() as conn:
        return list(conn.execute(select(audit_event.c.task_id).where(
            audit_event.c.id > after, audit_event.c.event == "task_completed")).scalars())


def run_locust(base: str, users: int, duration: str, folder: Path, acks: Path) -> Path:
    """Run locust headless against *base*; return the prefix of its CSV files."""
    prefix = folder / "locust"
    env = {**os.environ, "YIKATONG_LOAD_USERS": str(users), "YIKATONG_LOAD_ACKS": str(acks),
           "YIKATONG_LOAD_SIGN_INS": str(folder / "sign_ins.json"), "YIKATONG_LOAD_PHASES": str(folder / "phases.json"),
           "YIKATONG_LOAD_COMPLETIONS": str(folder / "completions.json"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless",
               "-u", str(users), "-r", str(max(1, users // 10)), "-t", duration, "--host", base,
               "--csv", str(prefix), "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING"]
    with (folder / "locust.log").open("wb") as log:
        subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    return prefix


def read_stats(prefix: Path) -> list[dict[str, Any]]:
    """Return locust's per-action figures (requests, failures, req/s, p50/p95/p99/max in ms)."""
    with Path(f"{prefix}_stats.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [{"action": row["Name"] or "all", **{key: row[column] for key, column in COLUMNS.items()}} for row in rows
            if row["Request Count"] != "0"]  # the ramp's own actions (sign-in) are left at zero by the restart


def read_phases(folder: Path) -> dict[str, Any]:
    """Return the ramp and the window (seconds, requests) and every failed request of the whole run."""
    path = folder / "phases.json"
    return json.loads(path.read_text()) if path.exists() else {"signed_in": 0, "failures": [{
        "phase": "-", "method": "-", "action": "-", "error": "locust wrote no phases (see locust.log)", "occurrences": 1}]}


def window_note(phases: dict[str, Any], duration: str) -> str:
    """Say what the figures cover: the window after every user signed in, or (if never) the whole run."""
    if phases.get("window_seconds") is None:
        return (f"WARNING: only {phases.get('signed_in')} of {phases.get('users')} users had signed in when --time "
                f"{duration} ran out: the figures include the ramp (sign-ins' CPU); run longer.")
    return (f"Measured window: {phases['window_seconds']} s of steady work after every user had signed in "
            f"(ramp {phases['ramp_seconds']} s, {phases['ramp_requests']} requests, not in the figures but its "
            f"failures are counted); --time {duration} bounds ramp and window together.")


def sign_in_stats(folder: Path) -> list[dict[str, Any]]:
    """Return the sign-ins' figures (made while the users started, before the statistics restarted)."""
    path = folder / "sign_ins.json"
    times = json.loads(path.read_text()) if path.exists() else {}
    return [{"action": f"{name} (during the ramp)", "requests": len(values), "failures": "see failures", "rps": "nan",
             **{key: round(statistics.quantiles(values, n=100)[q - 1]) if len(values) > 1 else round(values[0])
                for key, q in (("p50", 50), ("p95", 95), ("p99", 99))}, "max": round(max(values))}
            for name, values in sorted(times.items()) if values]


def _quantiles(values: list[float]) -> dict[str, Any]:
    if len(values) < 2:
        return {"requests": len(values), **{k: round(values[0]) if values else None for k in ("p50", "p95", "p99")}}
    cuts = statistics.quantiles(values, n=100)
    return {"requests": len(values), "p50": round(cuts[49]), "p95": round(cuts[94]), "p99": round(cuts[98])}


def completions_by_kind(ctx: Services, folder: Path) -> dict[str, Any]:
    """Split the window's completion times: steps that issued an official document (a sealed PDF
    rendered inside the step's transaction) and the others."""
    path = folder / "completions.json"
    times = json.loads(path.read_text()) if path.exists() else []
    with ctx.db.read() as conn:
        issuing = set(conn.execute(select(audit_event.c.task_id).where(
            audit_event.c.event == "document_issued",
            audit_event.c.task_id.in_({task_id for task_id, _ in times}))).scalars()) if times else set()
    return {"issued a document": _quantiles([ms for task_id, ms in times if task_id in issuing]),
            "other steps": _quantiles([ms for task_id, ms in times if task_id not in issuing])}


def _rate(value: str) -> str:
    number = float(value)
    return "-" if math.isnan(number) else f"{number:.1f}"


def table(stats: list[dict[str, Any]]) -> str:
    """Return the figures as a Markdown table."""
    lines = ["| action | requests | failures | req/s | p50 ms | p95 ms | p99 ms |", "|---|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {s['action']} | {s['requests']} | {s['failures']} | {_rate(s['rps'])} | {s['p50']} | "
              f"{s['p95']} | {s['p99']} |" for s in stats]
    return "\n".join(lines)


def _journal(acks: Path) -> dict[str, list[str]]:
    lines = [line.split(" ", 1) for line in acks.read_text().splitlines()] if acks.exists() else []
    kinds: dict[str, list[str]] = {"sent": [], "ack": [], "refused": [], "raced": [], "declaring": [],
                                   "declared": []}
    for kind, task_id in lines:
        kinds[kind].append(task_id)
    return kinds


def _task_name(ctx: Services, task_id: str) -> str | None:
    with ctx.db.read() as conn:
        return conn.execute(select(human_task.c.task_name).where(human_task.c.id == task_id)).scalar()


def verify(ctx: Services, before: int, acks: Path) -> dict[str, Any]:
    """Compare the acknowledged completions with the database and check every invariant.

    A completion stored without an acknowledgement is a violation unless its request was still in
    flight when locust stopped its users (sent, never answered): then it is only counted. So are
    lost races: a 409 "already been handled" because another user of the same identity completed
    the task first, which is the answer a user must get, not a failure. The same
    holds for a declaration's first task, up to the number of declarations sent and never answered.
    """
    journal = _journal(acks)
    acked, answered = journal["ack"], set(journal["ack"]) | set(journal["refused"]) | set(journal["raced"])
    stored = _completions_since(ctx, before)
    unacknowledged = set(stored) - set(acked)
    in_flight = {t for t in unacknowledged if t in journal["sent"] and t not in answered}
    declarations_in_flight = len(journal["declaring"]) - len(journal["declared"])
    unsent_declarations = sorted(t for t in unacknowledged - in_flight if _task_name(ctx, t) == "declare")
    in_flight |= set(unsent_declarations[:max(0, declarations_in_flight)])
    return {"acknowledged": len(acked), "acknowledged_twice": len(acked) - len(set(acked)),
            "stored_completions": len(stored), "lost_or_duplicated": lost_acknowledged(ctx, acked),
            "unacknowledged_completions": sorted(unacknowledged - in_flight),
            "in_flight_at_stop_and_stored": len(in_flight),
            "lost_races": len(journal["raced"]),  # 409: another user of the same identity completed it first
            "check": integrity.check(ctx)}


def load_run(url: str, folder: Path, users: int, duration: str, projects: int) -> dict[str, Any]:
    """Prepare, serve, load, stop and verify; return the report."""
    ctx = prepare(url, folder, projects)
    port, log = serving.free_port(), folder / "server.log"
    server = serving.spawn(serving.server_command(port), ctx.db.url, folder, log)
    worker = serving.spawn(serving.worker_command(5.0), ctx.db.url, folder, log)
    acks = folder / "acknowledged.txt"
    try:
        serving.wait_ready(port, server)
        before, started = _last_event(ctx), time.monotonic()
        prefix = run_locust(f"http://{serving.HOST}:{port}", users, duration, folder, acks)
        seconds = time.monotonic() - started
    finally:
        serving.stop(server)
        serving.stop(worker)
    phases = read_phases(folder)
    report = {"database": ctx.db.engine.dialect.name, "users": users, "duration": duration,
              "seconds": round(seconds, 1), "projects": projects, "server": " ".join(serving.server_command(port)[1:]),
              "load_average": os.getloadavg(), "stats": read_stats(prefix) + sign_in_stats(folder),
              "window": {k: phases.get(k) for k in ("signed_in", "ramp_seconds", "ramp_requests", "window_seconds")},
              "note": window_note(phases, duration), "failures": phases["failures"],
              "completions_ms": completions_by_kind(ctx, folder), "verify": verify(ctx, before, acks)}
    ctx.db.dispose()
    return report


def failed(report: dict[str, Any]) -> bool:
    """Return True if a request failed or a check found something."""
    check = report["verify"]
    return (any(str(s["failures"]).isdigit() and int(s["failures"]) for s in report["stats"]) or bool(report["failures"])
            or bool(check["lost_or_duplicated"])
            or bool(check["unacknowledged_completions"]) or bool(check["acknowledged_twice"])
            or not check["check"]["ok"])


def main(argv: list[str] | None = None) -> int:
    """Run the load test from the command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--time", default="60s", help="how long locust runs, ramp (sign-ins) and measured window "
                        "together (locust syntax: 60s, 2m)")
    parser.add_argument("--projects", type=int, default=200, help="declared projects in the fresh database")
    parser.add_argument("--database-url", help="PostgreSQL server to create a scratch database on (default SQLite)")
    parser.add_argument("--json", type=Path, help="also write the report to this file")
    args = parser.parse_args(argv)
    serving.exit_on_sigterm()
    with tempfile.TemporaryDirectory(prefix="yikatong_load_") as tmp, fresh_database(args.database_url, Path(tmp)) as url:
        report = load_run(url, Path(tmp), args.users, args.time, args.projects)
    print(table(report["stats"]))
    print(report["note"])
    print(json.dumps({k: v for k, v in report.items() if k != "stats"}, ensure_ascii=False, indent=2, default=str))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    return 1 if failed(report) else 0


if __name__ == "__main__":
    sys.exit(main())
