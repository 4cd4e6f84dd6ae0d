"""In-app notifications: addressed to a user, or to a role within an organisation (resolved to its users)."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from models.tables import app_user, notification, user_role
from services.clock import from_db, to_db
from services.context import Services
from services.errors import NotFound
from services.users import Actor

LIST_LIMIT = 100


def role_members(conn: Connection, role: str, org_id: int | None) -> list[tuple[int, str | None]]:
    """Return (user id, e-mail) of the active users with *role*, within *org_id* if given."""
    query = (select(app_user.c.id, app_user.c.email)
             .join(user_role, user_role.c.user_id == app_user.c.id)
             .where(user_role.c.role == role, app_user.c.is_active.is_(True)).order_by(app_user.c.id))
    if org_id is not None:
        query = query.where(app_user.c.organization_id == org_id)
    return [(r.id, r.email) for r in conn.execute(query)]


def notify_users(conn: Connection, now: datetime, users: list[tuple[int, str | None]], *, kind: str,
                 dedupe_key: str, params: Mapping[str, Any], instance_id: int | None = None) -> int:
    """Add a notification of *kind* with *params* for each user who has none with *dedupe_key*; return how many.

    The text is not stored: it is written from the kind and the parameters in the reader's
    language when shown (and in Chinese when e-mailed).
    """
    if not users:
        return 0
    rows = [{"user_id": user_id, "instance_id": instance_id, "kind": kind, "dedupe_key": dedupe_key[:200],
             "params": dict(params), "created_at": to_db(now), "email_to": email or None, "send_attempts": 0}
            for user_id, email in users]
    dialect = sqlite_insert if conn.dialect.name == "sqlite" else postgresql_insert
    statement = (dialect(notification).on_conflict_do_nothing(index_elements=["user_id", "dedupe_key"])
                 .returning(notification.c.id))
    return len(conn.execute(statement, rows).all())


def notify_role(conn: Connection, now: datetime, role: str, org_id: int | None, **message: Any) -> int:
    """Notify every active user of *role* (within *org_id* if given); see notify_users."""
    return notify_users(conn, now, role_members(conn, role, org_id), **message)


def unread_count(ctx: Services, actor: Actor) -> int:
    """Return how many notifications *actor* has not read."""
    with ctx.db.read() as conn:
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
