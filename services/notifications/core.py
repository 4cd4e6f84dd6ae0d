"""In-app notifications: addressed to a user, or to a role within an organisation (resolved to its users)."""
from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Connection, DateTime, Integer, String, and_, bindparam, func, literal, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from models.tables import app_user, notification, user_role
from services.clock import from_db, to_db
from services.context import Services
from services.errors import NotFound
from services.users import Actor

LIST_LIMIT = 100


def _members() -> Any:
    return select(app_user.c.id, bindparam("instance_id", type_=Integer), bindparam("kind", type_=String),
                  bindparam("dedupe_key", type_=String), bindparam("params", type_=JSON),
                  bindparam("created_at", type_=DateTime), func.nullif(app_user.c.email, ""),
                  literal(0, Integer)).where(app_user.c.is_active.is_(True))


def _insert_from(dialect: str, members: Any) -> Any:
    columns = ["user_id", "instance_id", "kind", "dedupe_key", "params", "created_at", "email_to", "send_attempts"]
    insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
    return (insert(notification).from_select(columns, members)
            .on_conflict_do_nothing(index_elements=["user_id", "dedupe_key"]).returning(notification.c.id))


@functools.cache
def _insert_for_role(dialect: str, scoped: bool) -> Any:
    """Return INSERT ... SELECT of one notification per active user of a role (in an organisation if scoped)."""
    members = (_members().join(user_role, user_role.c.user_id == app_user.c.id)
               .where(user_role.c.role == bindparam("role")))
    if scoped:
        members = members.where(app_user.c.organization_id == bindparam("org_id"))
    return _insert_from(dialect, members)


@functools.cache
def _insert_for_users(dialect: str) -> Any:
    """Return INSERT ... SELECT of one notification per named active user."""
    return _insert_from(dialect, _members().where(app_user.c.id.in_(bindparam("user_ids", expanding=True))))


def notify_role(conn: Connection, now: datetime, role: str, org_id: int | None, *, kind: str, dedupe_key: str,
                params: Mapping[str, Any], instance_id: int | None = None) -> int:
    """Notify every active user of *role* (within *org_id* if given) who has no notification *dedupe_key*.

    One statement: the users are selected and their notifications inserted together, a duplicate
    (user, dedupe key) is skipped. The text is not stored: it is written from *kind* and *params*
    in the reader's language when shown, and in Chinese when e-mailed. Return how many were added.
    """
    statement = _insert_for_role(conn.dialect.name, org_id is not None)
    values = {"instance_id": instance_id, "kind": kind, "dedupe_key": dedupe_key[:200], "params": dict(params),
              "created_at": to_db(now), "role": role, "org_id": org_id}
    return len(conn.execute(statement, values).all())


def notify_users(conn: Connection, now: datetime, user_ids: list[int], *, kind: str, dedupe_key: str,
                 params: Mapping[str, Any], instance_id: int | None = None) -> int:
    """Notify each active user of *user_ids* who has no notification *dedupe_key*; return how many were added."""
    if not user_ids:
        return 0
    values = {"instance_id": instance_id, "kind": kind, "dedupe_key": dedupe_key[:200], "params": dict(params),
              "created_at": to_db(now), "user_ids": sorted(set(user_ids))}
    return len(conn.execute(_insert_for_users(conn.dialect.name), values).all())


def unread_count(ctx: Services, actor: Actor) -> int:
    """Return how many notifications *actor* has not read (one statement, its own snapshot: every page asks)."""
    with ctx.db.read_one() as conn:
        return conn.execute(select(func.count()).select_from(notification).where(
            notification.c.user_id == actor.id, notification.c.read_at.is_(None))).scalar_one()


def list_for(ctx: Services, actor: Actor, limit: int = LIST_LIMIT) -> dict[str, Any]:
    """Return *actor*'s newest notifications, unread first, and the unread count."""
    with ctx.db.read() as conn:
        rows = conn.execute(select(notification).where(notification.c.user_id == actor.id)
                            .order_by(notification.c.read_at.is_not(None), notification.c.id.desc())
                            .limit(limit)).all()
    items = [{"id": r.id, "kind": r.kind, "params": r.params, "instance_id": r.instance_id,
              "created_at": from_db(r.created_at).isoformat(), "read": r.read_at is not None,
              "emailed": r.sent_at is not None} for r in rows]
    return {"items": items, "unread": sum(1 for i in items if not i["read"])}


def mark_read(ctx: Services, actor: Actor, notification_id: int | None = None) -> int:
    """Mark one of *actor*'s notifications (or all of them) read; return how many changed."""
    where = and_(notification.c.user_id == actor.id, notification.c.read_at.is_(None))
    if notification_id is not None:
        where = and_(where, notification.c.id == notification_id)
    with ctx.db.write() as conn:
        if notification_id is not None and conn.execute(select(notification.c.id).where(
                notification.c.id == notification_id, notification.c.user_id == actor.id)).first() is None:
            raise NotFound(f"notification {notification_id} does not exist")
        return conn.execute(update(notification).where(where).values(read_at=to_db(ctx.clock.now()))).rowcount
