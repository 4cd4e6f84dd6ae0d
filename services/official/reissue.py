"""Reissue an official document from the project's current records: a corrected document, a new version.

Only administrators (the same people who act on instances), with a reason; the earlier versions
stay archived and verifiable. The document is filled from the instance's current data, so it
corrects the latest version of its kind (the latest payment notice, say).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from documents import KINDS
from engine import runtime
from models.tables import issued_document, process_instance
from services import audit
from services.context import Services
from services.errors import FieldError, Hidden, NotFound, ValidationError
from services.official import content
from services.official.issue import issue
from services.oversight.access import require_action
from services.oversight.actions import clean_reason
from services.process_models import model_by_id
from services.users import Actor
from services.visibility import can_see_instance

PLAN_PROCESS = "fund_plan"
NOT_ISSUED = "No document of this kind has been issued for this project yet."


def _instance(ctx: Services, conn: Connection, actor: Actor, instance_id: int) -> Any:
    query = select(process_instance).where(process_instance.c.id == instance_id)
    row = conn.execute(query.with_for_update() if ctx.db.is_postgresql else query).first()
    if row is None:
        raise NotFound(f"instance {instance_id} does not exist")
    if not can_see_instance(actor, row.department_org_id, row.bank_org_id):
        raise Hidden("instance", instance_id, instance_id)
    require_action(actor)
    return row


def _latest(conn: Connection, instance_id: int, kind: str) -> Any:
    row = conn.execute(select(issued_document).where(
        issued_document.c.instance_id == instance_id, issued_document.c.kind == kind)
        .order_by(issued_document.c.version.desc()).limit(1)).first()
    if row is None:
        raise ValidationError(NOT_ISSUED, [FieldError("kind", "not_issued", NOT_ISSUED)])
    return row


@audit.audit_denials
def reissue(ctx: Services, actor: Actor, instance_id: int, kind: str, reason: str | None) -> dict[str, Any]:
    """Issue the next version of the project's document of *kind* from its current records."""
    if kind not in KINDS:
        raise ValidationError("Choose a kind of document.", [FieldError("kind", "enum", "Choose a kind of document.")])
    text = clean_reason(reason)
    now = ctx.clock.now()
    with ctx.db.write() as conn:
        row = _instance(ctx, conn, actor, instance_id)
        latest = _latest(conn, instance_id, kind)
        data = runtime.current_data(runtime.restore(model_by_id(ctx, conn, row.model_id), row.state,
                                                    ctx.script_engine))
        if kind == "payment_notice":
            doc = content.payment_notice(conn, instance_id, data, ctx.today())
        elif kind == "acceptance_report":
            doc = content.acceptance_report(conn, instance_id, data)
        elif row.process_id == PLAN_PROCESS:  # a per-bank plan: its own table
            doc = content.plan_table(conn, instance_id, ctx.today())
        else:
            doc = content.fund_plan(conn, instance_id, ctx.today())
        issued = issue(ctx, conn, instance_id, doc, actor_id=actor.id, task_id=latest.task_id, at=now)
        audit.record(conn, "document_reissued", now, actor_id=actor.id, instance_id=instance_id,
                     data={**issued, "reason": text, "replaces_version": latest.version})
    return issued
