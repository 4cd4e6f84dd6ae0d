"""A bank transaction number pays once per bank; payment notices are recorded, an invoice once per contractor.

Existing payments that already share a (bank, reference) pair (possible before this revision) keep
the first; the later ones get " (duplicate #id)" appended to their reference so the unique index
can be built; the audit history keeps what was entered. Payment notices already issued are
recorded from the history, the first use of an invoice number per contractor only.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""
from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from alembic import op

from models.types import Money

revision = "0004"
down_revision = "0008"
branch_labels = None
depends_on = None

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
NOTICES = sa.table(
    "payment_notice", sa.column("instance_id", sa.Integer), sa.column("task_id", sa.String),
    sa.column("contractor", sa.String), sa.column("invoice_no", sa.String),
    sa.column("invoice_sha256", sa.String), sa.column("amount", Money), sa.column("notice_date", sa.Date),
    sa.column("recorded_at", sa.DateTime), sa.column("recorded_by", sa.Integer),
)


def _create_notices() -> None:
    op.create_table(
        "payment_notice",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("instance_id", sa.Integer, nullable=False),
        sa.Column("task_id", sa.String(36), nullable=True),
        sa.Column("contractor", sa.String(300), nullable=False),
        sa.Column("invoice_no", sa.String(64), nullable=False),
        sa.Column("invoice_sha256", sa.String(64), nullable=True),
        sa.Column("amount", Money, nullable=False),
        sa.Column("notice_date", sa.Date, nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.Column("recorded_by", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_payment_notice"),
        sa.UniqueConstraint("contractor", "invoice_no", name="uq_payment_notice_invoice"),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"],
                                name="fk_payment_notice_instance_id_process_instance"),
        sa.ForeignKeyConstraint(["recorded_by"], ["app_user.id"], name="fk_payment_notice_recorded_by_app_user"),
    )
    op.create_index("ix_payment_notice_instance_id", "payment_notice", ["instance_id"])


def _notice_row(event: Any, contractor: str) -> dict[str, Any] | None:
    form = (json.loads(event.data).get("data") or {}) if event.data else {}
    invoice, when = str(form.get("invoice_no") or "").strip(), str(form.get("notice_date") or "")
    try:
        amount = Decimal(str(form.get("notice_amount")))
    except InvalidOperation:
        return None
    if not invoice or not ISO_DATE.fullmatch(when) or not amount.is_finite():
        return None
    sha = form.get("invoice_file")
    return {"instance_id": event.instance_id, "task_id": event.task_id, "contractor": contractor,
            "invoice_no": invoice[:64], "invoice_sha256": sha if isinstance(sha, str) else None,
            "amount": amount, "notice_date": date.fromisoformat(when), "recorded_at": event.at,
            "recorded_by": event.actor_id}


def _record_issued_notices(bind: sa.Connection) -> None:
    events = bind.execute(sa.text(
        "SELECT audit_event.instance_id, audit_event.task_id, audit_event.actor_id, audit_event.at, "
        "audit_event.data, project.contractor FROM audit_event "
        "JOIN project ON project.instance_id = audit_event.instance_id "
        "WHERE audit_event.event = 'task_completed' AND audit_event.data LIKE '%payment_notice%' "
        "AND project.contractor IS NOT NULL ORDER BY audit_event.id").columns(at=sa.DateTime)).all()
    seen: set[tuple[str, str]] = set()
    for event in events:
        if json.loads(event.data).get("task") != "payment_notice":
            continue
        row = _notice_row(event, event.contractor)
        if row and (row["contractor"], row["invoice_no"]) not in seen:
            seen.add((row["contractor"], row["invoice_no"]))
            bind.execute(sa.insert(NOTICES).values(**row))


def _mark_duplicate_references(bind: sa.Connection) -> None:
    seen: set[tuple[int, str]] = set()
    for pay_id, bank, reference in bind.execute(sa.text(
            "SELECT id, bank_org_id, reference FROM payment ORDER BY id")).all():
        if (bank, reference) in seen:
            bind.execute(sa.text("UPDATE payment SET reference = :ref WHERE id = :id"),
                         {"ref": f"{reference[:70]} (duplicate #{pay_id})", "id": pay_id})
        seen.add((bank, reference))


def upgrade() -> None:
    bind = op.get_bind()
    _create_notices()
    _record_issued_notices(bind)
    _mark_duplicate_references(bind)
    op.create_index("uq_payment_bank_reference", "payment", ["bank_org_id", "reference"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_payment_bank_reference", table_name="payment")
    op.drop_index("ix_payment_notice_instance_id", table_name="payment_notice")
    op.drop_table("payment_notice")
