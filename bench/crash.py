"""Crash test: kill the server and the timer worker with SIGKILL at random moments under load, restart
them, and check after every kill that nothing acknowledged was lost and every invariant holds.

    python -m bench.crash [--kills 25] [--clients 1] [--database-url URL] [--seed N]

Each round waits until completions flow, then a random moment while client threads complete tasks, SIGKILLs the
server or the worker (chosen at random), then the other one a random moment later, so that the
database is quiet; checks; restarts both. Prints one JSON report; exit 1 on any violation.
"""
from __future__ import annotations

import argparse
import json
import random
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench import serving
from bench.apiclient import Acknowledged, ApiUser, run_user
from bench.fresh import fresh_database
from bench.workload import IDENTITIES, prepare

PROGRESS_TIMEOUT_SECONDS = 60.0
from models.tables import audit_event, human_task
from services import integrity
from services.context import Services


def lost_acknowledged(ctx: Services, task_ids: list[str]) -> list[dict[str, Any]]:
    """Return a violation for each acknowledged completion not stored as completed with exactly one audit entry."""
    wanted = set(task_ids)
    with ctx.db.read() as conn:
        status = dict(conn.execute(select(human_task.c.id, human_task.c.status)
                                   .where(human_task.c.id.in_(wanted))).all()) if wanted else {}
        events = Counter(conn.execute(select(audit_event.c.task_id).where(
            audit_event.c.event == "task_completed", audit_event.c.task_id.in_(wanted))).scalars()) if wanted else {}
    return [{"invariant": "acknowledged_present",
             "detail": f"task {t} was acknowledged but is {status.get(t, 'missing')} with {events.get(t, 0)} "
                       "audit entries", "task_id": t}
            for t in sorted(wanted) if status.get(t) != "completed" or events.get(t) != 1]


@dataclass
class Processes:
    """The server and the worker of the run, restarted after every kill."""

    url: str
    folder: Path
    port: int
    server: Any = None
    worker: Any = None
    restarts: list[float] = field(default_factory=list)

    def start(self) -> None:
        """Start both and wait until the server answers."""
        log = self.folder / "processes.log"
        self.server = serving.spawn(serving.server_command(self.port), self.url, self.folder, log)
        self.worker = serving.spawn(serving.worker_command(0.5), self.url, self.folder, log)
        self.restarts.append(serving.wait_ready(self.port, self.server))

    def kill_both(self, rng: random.Random) -> str:
        """SIGKILL one of them (chosen at random), the other a random moment later; return who died first."""
        first, second = ("server", "worker") if rng.random() < 0.5 else ("worker", "server")
        serving.stop(getattr(self, first), signal.SIGKILL)
        time.sleep(rng.uniform(0, 0.3))
        serving.stop(getattr(self, second), signal.SIGKILL)
        return first

    def stop(self) -> None:
        """Stop both gently."""
        serving.stop(self.server)
        serving.stop(self.worker)


def _violations(ctx: Services, acked: Acknowledged) -> list[dict[str, Any]]:
    with acked.lock:
        task_ids = list(acked.task_ids)
    return lost_acknowledged(ctx, task_ids) + integrity.check(ctx)["violations"]


def _clients(base: str, per_identity: int, acked: Acknowledged, stop: threading.Event,
             seed: int) -> list[threading.Thread]:
    actors = [identity for identity in IDENTITIES if identity[1]]
    threads = []
    for number in range(per_identity * len(actors)):
        username, steps = actors[number % len(actors)]
        user = ApiUser(base, username, steps, acked, seed + number)
        threads.append(threading.Thread(target=run_user, args=(user, stop), daemon=True, name=f"client-{number}"))
    for thread in threads:
        thread.start()
    return threads


def crash_run(url: str, folder: Path, kills: int, clients: int, projects: int, seed: int,
              max_uptime: float = 4.0) -> dict[str, Any]:
    """Run *kills* rounds on the fresh database *url*; return the report."""
    rng, acked, stop = random.Random(seed), Acknowledged(), threading.Event()
    ctx = prepare(url, folder, projects)
    procs = Processes(ctx.db.url, folder, serving.free_port())
    procs.start()
    threads = _clients(f"http://{serving.HOST}:{procs.port}", clients, acked, stop, seed)
    rounds, started = [], time.monotonic()
    try:
        for number in range(1, kills + 1):
            # Kill only once completions flow again (the first round: once the clients have signed in).
            flowing = acked.wait_for_more(PROGRESS_TIMEOUT_SECONDS)
            time.sleep(rng.uniform(0, max_uptime))
            first = procs.kill_both(rng)
            found = _violations(ctx, acked)
            rounds.append({"round": number, "killed_first": first, "acknowledged": len(acked.task_ids),
                           "under_load": flowing, "violations": found})
            print(f"round {number}: {first} killed first, {len(acked.task_ids)} acknowledged, "
                  f"{len(found)} violations, {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
            procs.start()
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=40)
        procs.stop()
    final = _violations(ctx, acked)
    ctx.db.dispose()
    return {"database": ctx.db.engine.dialect.name, "kills": kills, "clients": clients, "seed": seed,
            "server": " ".join(serving.server_command(procs.port)[1:]),
            "seconds": round(time.monotonic() - started, 1), "acknowledged_completions": len(acked.task_ids),
            "refused": {str(k): v for k, v in sorted(acked.refused.items())}, "refusals_seen": acked.examples,
            "restart_seconds_max": round(max(procs.restarts), 2),
            "violations_per_round": [len(r["violations"]) for r in rounds],
            "rounds_without_load": [r["round"] for r in rounds if not r["under_load"]],
            "violations": [v for r in rounds for v in r["violations"]] + final, "final_violations": final}


def main(argv: list[str] | None = None) -> int:
    """Run the crash test from the command line; print the report; exit 1 on any violation."""
    parser = argparse.ArgumentParser(prog="python -m bench.crash", description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=25)
    parser.add_argument("--clients", type=int, default=1, help="client threads per identity (12 identities)")
    parser.add_argument("--projects", type=int, default=30, help="declared projects to start from")
    parser.add_argument("--database-url", help="PostgreSQL server to create a scratch database on (default SQLite)")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    serving.exit_on_sigterm()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    with tempfile.TemporaryDirectory(prefix="yikatong_crash_") as tmp, fresh_database(args.database_url, Path(tmp)) as url:
        report = crash_run(url, Path(tmp), args.kills, args.clients, args.projects, seed)
    json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 1 if report["violations"] else 0


if __name__ == "__main__":
    sys.exit(main())
