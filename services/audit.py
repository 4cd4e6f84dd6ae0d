"""The append-only history: who did what, when, with which data."""
from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import orjson
from sqlalchemy import Connection, insert, select

from models.tables import app_user, audit_event
from services.clock import from_db, to_db
from services.context import Services
from services.errors import Hidden

F = TypeVar("F", bound=Callable[..., Any])
_INSERT = insert(audit_event)
PRIVATE_EVENTS = ("access_denied",)


def event_row(event: str, at: datetime, *, actor_id: int | None = None, instance_id: int | None = None,
              task_id: str | None = None, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the audit row of one event, ready to insert."""
    return {"at": to_db(at), "actor_id": actor_id, "instance_id": instance_id, "task_id": task_id,
            "event": event, "data": orjson.dumps(data or {}).decode()}


def record(conn: Connection, event: str, at: datetime, *, actor_id: int | None = None,
           instance_id: int | None = None, task_id: str | None = None,
           data: dict[str, Any] | None = None) -> None:
    """Append one event to the audit table."""
    conn.execute(_INSERT, event_row(event, at, actor_id=actor_id, instance_id=instance_id, task_id=task_id,
                                    data=data))


def history(conn: Connection, instance_id: int) -> list[dict[str, Any]]:
    """Return the instance's events, oldest first, with the actors' names."""
    rows = conn.execute(
        select(audit_event, app_user.c.username, app_user.c.display_name)
        .outerjoin(app_user, app_user.c.id == audit_event.c.actor_id)
        .where(audit_event.c.instance_id == instance_id, audit_event.c.event.not_in(PRIVATE_EVENTS))
        .order_by(audit_event.c.id)
    ).all()
    return [
        {
            "at": from_db(r.at).isoformat(), "event": r.event, "task_id": r.task_id,
            "actor": r.username, "actor_name": r.display_name, "data": orjson.loads(r.data),
        }
        for r in rows
    ]


def audit_denials(func: F) -> F:
    """Record an `access_denied` event whenever *func* hides another organisation's object."""
    @functools.wraps(func)
    def wrapper(ctx: Services, actor: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return func(ctx, actor, *args, **kwargs)
        except Hidden as exc:
            if actor is not None:
                with ctx.db.write() as conn:
                    record(conn, "access_denied", ctx.clock.now(), actor_id=actor.id,
                           instance_id=exc.instance_id,
                           data={"kind": exc.kind, "id": str(exc.ident), "action": func.__name__})
            raise
    return wrapper  # type: ignore[return-value]
