"""Comments any participant of a project can add beside its steps."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select

from models.tables import app_user, comment, process_instance
from services import audit
from services.clock import from_db, to_db
from services.context import Services
from services.errors import Hidden, NotFound, PermissionDenied, ValidationError
from services.users import Actor, require_writer
from services.visibility import can_see_instance

MAX_COMMENT = 2000


@audit.audit_denials
def add_comment(ctx: Services, actor: Actor, instance_id: int, body: Any) -> dict[str, Any]:
    """Add *body* as a comment of *actor* to an instance it takes part in (seeing it as a supervisor is not enough)."""
    writer = require_writer(actor)
    text = body.strip() if isinstance(body, str) else ""
    if not text or len(text) > MAX_COMMENT:
        raise ValidationError("The comment is empty or too long.", [])
    now = ctx.clock.now()
    with ctx.db.write() as conn:
        row = conn.execute(select(process_instance.c.department_org_id, process_instance.c.bank_org_id)
                           .where(process_instance.c.id == instance_id)).first()
        if row is None:
            raise NotFound(f"instance {instance_id} does not exist")
        if not can_see_instance(actor, row.department_org_id, row.bank_org_id):
            raise Hidden("instance", instance_id, instance_id)
        if not can_see_instance(writer, row.department_org_id, row.bank_org_id):
            raise PermissionDenied("only those who take part in a project may comment on it")
        new_id = conn.execute(insert(comment).values(
            instance_id=instance_id, author_id=actor.id, at=to_db(now), body=text)).inserted_primary_key[0]
    return {"id": new_id, "author": actor.username, "author_name": actor.display_name,
            "at": now.isoformat(), "body": text}


def comments_of(conn: Connection, instance_id: int) -> list[dict[str, Any]]:
    """Return an instance's comments, oldest first."""
    rows = conn.execute(
        select(comment, app_user.c.username, app_user.c.display_name)
        .join(app_user, app_user.c.id == comment.c.author_id)
        .where(comment.c.instance_id == instance_id).order_by(comment.c.id))
    return [{"id": r.id, "author": r.username, "author_name": r.display_name,
             "at": from_db(r.at).isoformat(), "body": r.body} for r in rows]
