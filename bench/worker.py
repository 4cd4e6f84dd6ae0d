"""Timer worker throughput: N instances whose payment deadline has passed, advanced by one worker pass.

    .venv/bin/python -m bench.worker [--count 10000] [--no-postgresql]

One instance is driven to the bank's payment task through the use cases and copied N-1 times
(`tests.services.clones`: each copy has task ids of its own, so each gets its own notifications).
The timed part is `services.timers.run_pass` over all N: claim, restore, fire the reminder and
deadline timers, run the engine (computing the first escalation), save, notify the bureau, commit —
one transaction per instance. Printed beside it, measured in the same run: the in-memory floor
(restore, fire, dump of the same state, no database) and one empty durable commit.
"""
from __future__ import annotations

import argparse
import statistics
import time
from datetime import datetime, timezone

from sqlalchemy import select, text

from bench.scratch import Scratch
from engine import runtime
from models.db import Database
from models.tables import process_instance
from services.calendar.store import put_setting
from services.clock import FixedClock
from services.context import Services
from services.process_models import model_by_id
from services.timers import run_pass
from tests import support
from tests.services.clones import clone_instance
from tests.services.journey import Journey

DUE = datetime(2026, 11, 20, 4, 0, tzinfo=timezone.utc)
SAMPLES = 200


def _floor(ctx: Services, instance_id: int) -> float:
    """Return the median ms to restore, fire and dump the instance's state, with no database."""
    with ctx.db.read() as conn, ctx.calendars.using(conn):
        row = conn.execute(select(process_instance.c.state, process_instance.c.model_id)
                           .where(process_instance.c.id == instance_id)).one()
        model = model_by_id(ctx, conn, row.model_id)
        times = []
        for _ in range(SAMPLES):
            started = time.perf_counter()
            workflow = runtime.restore(model, row.state, ctx.script_engine)
            runtime.fire_timers_detailed(workflow)
            runtime.dump(workflow)
            times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _empty_commit(ctx: Services) -> float:
    """Return the median ms of a write transaction that changes one row, on the same database."""
    with ctx.db.write() as conn:
        put_setting(conn, "bench.commit", "0", ctx.clock.now())
    times = []
    for n in range(SAMPLES):
        started = time.perf_counter()
        with ctx.db.write() as conn:
            put_setting(conn, "bench.commit", str(n), ctx.clock.now())
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def measure(backend: str, count: int) -> dict[str, float]:
    """Return the pass's ms per instance and instances per second on *backend*, with the floors."""
    scratch = Scratch()
    try:
        url = scratch.sqlite("worker") if backend == "sqlite" else scratch.postgresql("worker")
        ctx = Services(db=Database(url), files_dir=scratch.files_dir("worker"), clock=FixedClock(support.NOON))
        j = Journey(ctx).to_payment().notice_received("1000000.00")
        clone_instance(ctx, j.instance_id, count - 1)
        if ctx.db.is_postgresql:
            with ctx.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        ctx.clock = FixedClock(DUE)
        floor, commit = _floor(ctx, j.instance_id), _empty_commit(ctx)
        started = time.perf_counter()
        done = run_pass(ctx)
        elapsed = time.perf_counter() - started
        assert len(done.fired) == count and not done.failed, (len(done.fired), done.failed[:1])
        ctx.db.dispose()
        per = elapsed / count * 1000
        return {"per_instance_ms": per, "per_second": count / elapsed, "floor_ms": floor, "commit_ms": commit}
    finally:
        scratch.close()


def main() -> None:
    """Print the worker's throughput on SQLite and PostgreSQL beside its floors."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--no-postgresql", action="store_true")
    args = parser.parse_args()
    for backend in ["sqlite"] + ([] if args.no_postgresql else ["postgresql"]):
        m = measure(backend, args.count)
        durable = m["floor_ms"] + m["commit_ms"]
        print(f"worker, {args.count} due timers, {backend}: {m['per_second']:.0f} instances/s, "
              f"{m['per_instance_ms']:.1f} ms each; floor in memory {m['floor_ms']:.1f} ms + empty commit "
              f"{m['commit_ms']:.2f} ms = {durable:.1f} ms; ratio {m['per_instance_ms'] / durable:.2f}", flush=True)


if __name__ == "__main__":
    main()
