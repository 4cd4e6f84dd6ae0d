"""Timer worker throughput: N instances whose payment deadline has passed, advanced by one worker pass.

    .venv/bin/python -m bench.worker [--count 10000] [--no-postgresql]

One instance is driven to the bank's payment task through the use cases; its rows (instance and
open tasks) are then copied N times with Core inserts, all with the deadline passed. The timed part
is `services.timers.run_pass`: claim, restore, fire the reminder and deadline timers, run the engine,
save, notify, commit — one transaction per instance. Prints instances per second.
"""
from __future__ import annotations

import argparse
import time
import uuid
from datetime import datetime, timezone

from sqlalchemy import insert, select

from bench.scratch import Scratch
from models.db import Database
from services.context import Services
from models.tables import human_task, process_instance
from services.clock import FixedClock
from services.timers import run_pass
from tests import support
from tests.services.journey import Journey


def _clone(ctx, instance_id: int, count: int) -> None:  # type: ignore[no-untyped-def]
    with ctx.db.write() as conn:
        inst = dict(conn.execute(select(process_instance).where(process_instance.c.id == instance_id)).one()._mapping)
        tasks = [dict(r._mapping) for r in conn.execute(select(human_task).where(human_task.c.instance_id == instance_id))]
        for start in range(0, count, 500):
            rows = [{k: v for k, v in inst.items() if k != "id"} for _ in range(min(500, count - start))]
            ids = [conn.execute(insert(process_instance).values(**row)).inserted_primary_key[0] for row in rows]
            conn.execute(insert(human_task), [{**t, "id": str(uuid.uuid4()), "instance_id": i} for i in ids for t in tasks])


def measure(backend: str, count: int) -> float:
    """Return instances advanced per second on *backend*."""
    scratch = Scratch()
    try:
        url = scratch.sqlite("worker") if backend == "sqlite" else scratch.postgresql("worker")
        ctx = Services(db=Database(url), files_dir=scratch.files_dir("worker"), clock=FixedClock(support.NOON))
        j = Journey(ctx).to_payment().notice_received("1000000.00")
        _clone(ctx, j.instance_id, count - 1)
        ctx.clock = FixedClock(datetime(2026, 11, 20, 4, 0, tzinfo=timezone.utc))
        started = time.perf_counter()
        done = run_pass(ctx)
        elapsed = time.perf_counter() - started
        assert len(done.fired) == count and not done.failed, (len(done.fired), done.failed[:1])
        ctx.db.dispose()
        return count / elapsed
    finally:
        scratch.close()


def main() -> None:
    """Print the worker's throughput on SQLite and PostgreSQL."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--no-postgresql", action="store_true")
    args = parser.parse_args()
    for backend in ["sqlite"] + ([] if args.no_postgresql else ["postgresql"]):
        print(f"worker, {args.count} due timers, {backend}: {measure(backend, args.count):.0f} instances/s")


if __name__ == "__main__":
    main()
