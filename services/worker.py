"""The timer worker: passes over due timers and pending e-mails, with a heartbeat per process."""
from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update

from models.tables import process_instance, timer_worker
from services import audit, idempotency, rate_limit
from services.calendar import recompute
from services.clock import from_db, to_db
from services.context import Services
from services.errors import ConflictError, NotFound, PermissionDenied
from services.notifications import mail
from services.reconciliation import schedule as reconciliation_schedule
from services.timers import Pass, run_pass
from services.users import Actor

LOG = logging.getLogger("yikatong.worker")
DEFAULT_INTERVAL_SECONDS = 60.0


@dataclass(frozen=True)
class WorkerId:
    """Who a worker is: a row of its own in the heartbeat table."""

    id: str
    host: str
    pid: int


def register(ctx: Services) -> WorkerId:
    """Create this process's heartbeat row and return its id."""
    host, pid = socket.gethostname()[:200], os.getpid()
    me = WorkerId(f"{host}:{pid}:{uuid.uuid4().hex[:8]}", host, pid)
    with ctx.db.write() as conn:
        conn.execute(insert(timer_worker).values(id=me.id, host=host, pid=pid, started_at=to_db(ctx.clock.now()),
                                                 runs=0, fired=0, failed=0))
    return me


def _beat(ctx: Services, me: WorkerId, done: Pass, error: str | None) -> None:
    with ctx.db.write() as conn:
        conn.execute(update(timer_worker).where(timer_worker.c.id == me.id).values(
            last_run_at=to_db(ctx.clock.now()), runs=timer_worker.c.runs + 1,
            fired=timer_worker.c.fired + len(done.fired), failed=timer_worker.c.failed + len(done.failed),
            last_error=error))


def run_once(ctx: Services, me: WorkerId) -> Pass:
    """Advance every due timer, send pending e-mails, start due reconciliations, record the heartbeat; never raise."""
    done, error = Pass(), None
    try:
        done = run_pass(ctx)
        for item in done.failed:
            LOG.error("timers of instance %s failed: %s", item["instance_id"], item["error"])
        mail.send_pending(ctx)
        purged = idempotency.purge(ctx)
        if purged:
            LOG.info("%d expired idempotency keys purged", purged)
        rate_limit.purge(ctx)
    except Exception as exc:  # noqa: BLE001 - a worker must survive a bad pass and report it
        LOG.exception("timer pass failed")
        error = f"{type(exc).__name__}: {exc}"[:2000]
    try:
        for started in reconciliation_schedule.start_due(ctx):
            LOG.info("reconciliation of %s for %s started", started["bank"], started["period"])
    except Exception:  # noqa: BLE001 - the schedule must not stop the timers
        LOG.exception("starting the scheduled reconciliations failed")
    try:
        _beat(ctx, me, done, error)
    except Exception:  # noqa: BLE001
        LOG.exception("heartbeat failed")
    return done


def run_forever(ctx: Services, interval: float = DEFAULT_INTERVAL_SECONDS,
                stop: threading.Event | None = None) -> None:
    """Recompute deadlines if the calendar changed, then pass over due timers every *interval* seconds."""
    stop = stop or threading.Event()
    me = register(ctx)
    try:
        changed = recompute.ensure_current(ctx)
        if changed:
            LOG.info("calendar changed: deadlines of %d instances recomputed", len(changed))
    except Exception:  # noqa: BLE001
        LOG.exception("recomputing deadlines failed")
    while not stop.is_set():
        run_once(ctx, me)
        stop.wait(interval)


def _require_admin(actor: Actor | None, read_only: bool = True) -> None:
    if actor is None:
        return
    if "admin" in actor.roles or (read_only and "supervisor" in actor.roles):
        return
    raise PermissionDenied("only an administrator may manage the timer worker")


def overview(ctx: Services, actor: Actor | None) -> dict[str, Any]:
    """Return every worker's heartbeat and the instances whose timers failed."""
    _require_admin(actor)
    with ctx.db.read() as conn:
        workers = conn.execute(select(timer_worker).order_by(timer_worker.c.last_run_at.desc().nulls_last(),
                                                             timer_worker.c.started_at.desc()).limit(50)).all()
        failed = conn.execute(select(process_instance.c.id, process_instance.c.title, process_instance.c.timer_failed_at,
                                     process_instance.c.timer_error, process_instance.c.next_timer_due)
                              .where(process_instance.c.timer_failed_at.is_not(None))
                              .order_by(process_instance.c.timer_failed_at.desc())).all()
    return {
        "workers": [{**{k: v for k, v in r._mapping.items() if not k.endswith("_at")},
                     "started_at": from_db(r.started_at).isoformat(),
                     "last_run_at": from_db(r.last_run_at).isoformat() if r.last_run_at else None} for r in workers],
        "failed": [{"instance_id": r.id, "title": r.title, "failed_at": from_db(r.timer_failed_at).isoformat(),
                    "error": r.timer_error} for r in failed],
    }


def retry(ctx: Services, actor: Actor | None, instance_id: int) -> dict[str, Any]:
    """Clear an instance's timer failure so the worker tries it again."""
    _require_admin(actor, read_only=False)
    with ctx.db.write() as conn:
        row = conn.execute(select(process_instance.c.timer_failed_at).where(process_instance.c.id == instance_id)).first()
        if row is None:
            raise NotFound(f"instance {instance_id} does not exist")
        if row.timer_failed_at is None:
            raise ConflictError(f"the timers of instance {instance_id} have not failed")
        conn.execute(update(process_instance).where(process_instance.c.id == instance_id)
                     .values(timer_failed_at=None, timer_error=None))
        audit.record(conn, "timer_retried", ctx.clock.now(), actor_id=actor.id if actor else None,
                     instance_id=instance_id)
    return {"instance_id": instance_id, "retried": True}
