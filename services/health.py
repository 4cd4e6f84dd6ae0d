"""Health of an installation: the database answers, its schema is at the code's head, the worker runs."""
from __future__ import annotations

import logging
import os
from datetime import datetime
from typing import Any

from sqlalchemy import column, func, select, table

from models.migrate import code_head
from models.tables import timer_worker
from services.clock import from_db
from services.context import Services

LOG = logging.getLogger("yikatong.health")
# The worker beats every 60 s by default; three missed beats and more mean it is not running.
DEFAULT_WORKER_MAX_AGE_SECONDS = 300
VERSION = table("alembic_version", column("version_num"))


def worker_max_age() -> int:
    """Return how old the worker's last run may be before health fails ($YIKATONG_WORKER_MAX_AGE, seconds)."""
    text = os.environ.get("YIKATONG_WORKER_MAX_AGE", "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else DEFAULT_WORKER_MAX_AGE_SECONDS


def _revision(ctx: Services) -> str | None:
    try:
        with ctx.db.read() as conn:
            return conn.execute(select(VERSION.c.version_num)).scalar()
    except Exception:  # noqa: BLE001 - no migration table: no revision
        return None


def _database(ctx: Services) -> tuple[dict[str, Any], str | None]:
    try:
        ctx.db.ping()
    except Exception:  # noqa: BLE001 - any failure to answer is "unreachable"; the details go to the log only
        LOG.exception("health check: the database does not answer")
        return {"ok": False, "error": "the database does not answer"}, None
    return {"ok": True}, _revision(ctx)


def _migrations(revision: str | None) -> dict[str, Any]:
    head = code_head()
    return {"ok": revision == head, "current": revision, "head": head}


def _worker(ctx: Services, now: datetime) -> dict[str, Any]:
    max_age = worker_max_age()
    try:
        with ctx.db.read() as conn:
            last = conn.execute(select(func.max(timer_worker.c.last_run_at))).scalar()
    except Exception:  # noqa: BLE001 - reported by the database check
        return {"ok": False, "last_run_at": None, "age_seconds": None, "max_age_seconds": max_age}
    if last is None:
        return {"ok": False, "last_run_at": None, "age_seconds": None, "max_age_seconds": max_age}
    age = (now - from_db(last)).total_seconds()  # type: ignore[operator]
    return {"ok": age <= max_age, "last_run_at": from_db(last).isoformat(),  # type: ignore[union-attr]
            "age_seconds": round(age, 1), "max_age_seconds": max_age}


def readiness(ctx: Services) -> dict[str, Any]:
    """Return whether this process can serve: the database answers and its schema is at head."""
    database, revision = _database(ctx)
    checks = {"database": database, "migrations": _migrations(revision)}
    return {"ok": all(c["ok"] for c in checks.values()), "checks": checks}


def health(ctx: Services) -> dict[str, Any]:
    """Return the installation's health: readiness plus the timer worker's last run."""
    result = readiness(ctx)
    result["checks"]["worker"] = _worker(ctx, ctx.clock.now())
    result["ok"] = all(c["ok"] for c in result["checks"].values())
    return result
