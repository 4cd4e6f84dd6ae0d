"""In-app notifications: addressed to a user, or to a role within an organisation (resolved to its users)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, update

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
                 dedupe_key: str, subject: str, body: str, instance_id: int | None = None) -> int:
    """Add a notification for each user unless they already have one with *dedupe_key*; return how many."""
    if not users:
        return 0
    have = set(conn.execute(select(notification.c.user_id).where(
        notification.c.dedupe_key == dedupe_key, notification.c.user_id.in_([u for u, _ in users]))).scalars())
    rows = [{"user_id": user_id, "instance_id": instance_id, "kind": kind, "dedupe_key": dedupe_key[:200],
             "subject": subject[:300], "body": body, "created_at": to_db(now), "email_to": email or None,
             "send_attempts": 0}
            for user_id, email in users if user_id not in have]
    if rows:
        conn.execute(insert(notification), rows)
    return len(rows)


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
    items = [{"id": r.id, "kind": r.kind, "subject": r.subject, "body": r.body, "instance_id": r.instance_id,
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
