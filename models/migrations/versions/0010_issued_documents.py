"""Issued official documents: Attachments 1–3 as sealed PDFs, archived append-only.

A row per document the system issued at a step (payment notice, acceptance report, fund use plan
table), its PDF kept in the file store by sha256. Rows are never changed or deleted (triggers, as
for the audit log): a corrected document is a new version.

Revision ID: 0010
Revises: 0013
Create Date: 2026-12-06
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0013"
branch_labels = None
depends_on = None

APPEND_ONLY_SQLITE = """
CREATE TRIGGER issued_document_no_{verb} BEFORE {VERB} ON issued_document
BEGIN SELECT RAISE(ABORT, 'issued_document is append-only'); END
"""
APPEND_ONLY_PG_FUNCTION = """
CREATE FUNCTION issued_document_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'issued_document is append-only'; END $$
"""
APPEND_ONLY_PG_TRIGGER = """
CREATE TRIGGER issued_document_no_change BEFORE UPDATE OR DELETE ON issued_document
FOR EACH ROW EXECUTE FUNCTION issued_document_append_only()
"""


def upgrade() -> None:
    op.create_table(
        "issued_document",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("public_id", sa.String(32), nullable=False),
        sa.Column("instance_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("signed", sa.Boolean, nullable=False),
        sa.Column("task_id", sa.String(36), nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_issued_document"),
        sa.UniqueConstraint("public_id", name="uq_issued_document_public_id"),
        sa.UniqueConstraint("instance_id", "kind", "version", name="uq_issued_document_version"),
        sa.CheckConstraint("kind IN ('payment_notice', 'acceptance_report', 'fund_plan')",
                           name="ck_issued_document_kind"),
        sa.CheckConstraint("version >= 1", name="ck_issued_document_version"),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"],
                                name="fk_issued_document_instance_id_process_instance"),
        sa.ForeignKeyConstraint(["sha256"], ["stored_file.sha256"], name="fk_issued_document_sha256_stored_file"),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name="fk_issued_document_created_by_app_user"),
    )
    op.create_index("ix_issued_document_sha256", "issued_document", ["sha256"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY_PG_FUNCTION)
        op.execute(APPEND_ONLY_PG_TRIGGER)
    else:
        for verb in ("update", "delete"):
            op.execute(APPEND_ONLY_SQLITE.format(verb=verb, VERB=verb.upper()))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER issued_document_no_change ON issued_document")
        op.execute("DROP FUNCTION issued_document_append_only()")
    op.drop_table("issued_document")
