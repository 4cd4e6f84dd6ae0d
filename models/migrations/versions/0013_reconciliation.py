"""Reconciliation with each bank (§10): one record per bank and period, its lines and their explanations.

A line keeps what the bank reported beside what the system recorded; the figures of a line are
never changed once written (a trigger refuses it), only its explanations are added.

Revision ID: 0013
Revises: 0007
Create Date: 2026-12-06
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.types import Money

revision = "0013"
down_revision = "0007"
branch_labels = None
depends_on = None

FIGURES = ("kind", "label", "project_instance_id", "reported_count", "recorded_count", "reported_amount",
           "recorded_amount", "differs")
MESSAGE = "the figures of a reconciliation line are never changed"


def _reconciliation() -> None:
    op.create_table(
        "reconciliation",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("instance_id", sa.Integer, nullable=False),
        sa.Column("bank_org_id", sa.Integer, nullable=False),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("scheduled", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("reported_at", sa.DateTime, nullable=True),
        sa.Column("closed_at", sa.DateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_reconciliation"),
        sa.UniqueConstraint("instance_id", name="uq_reconciliation_instance_id"),
        sa.UniqueConstraint("bank_org_id", "period", name="uq_reconciliation_bank_period"),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"],
                                name="fk_reconciliation_instance_id_process_instance"),
        sa.ForeignKeyConstraint(["bank_org_id"], ["organization.id"],
                                name="fk_reconciliation_bank_org_id_organization"),
        sa.CheckConstraint("status IN ('reporting', 'explaining', 'closed')", name="ck_reconciliation_status"),
        sa.CheckConstraint("period_start <= period_end", name="ck_reconciliation_period_order"),
    )


def _lines() -> None:
    op.create_table(
        "reconciliation_line",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("reconciliation_id", sa.Integer, nullable=False),
        sa.Column("line_no", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("project_instance_id", sa.Integer, nullable=True),
        sa.Column("reported_count", sa.BigInteger, nullable=True),
        sa.Column("recorded_count", sa.BigInteger, nullable=True),
        sa.Column("reported_amount", Money, nullable=True),
        sa.Column("recorded_amount", Money, nullable=True),
        sa.Column("differs", sa.Boolean, nullable=False),
        sa.Column("bank_explanation", sa.Text, nullable=True),
        sa.Column("bank_explained_by", sa.Integer, nullable=True),
        sa.Column("bank_explained_at", sa.DateTime, nullable=True),
        sa.Column("bureau_explanation", sa.Text, nullable=True),
        sa.Column("closed_by", sa.Integer, nullable=True),
        sa.Column("closed_at", sa.DateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_reconciliation_line"),
        sa.UniqueConstraint("reconciliation_id", "line_no", name="uq_reconciliation_line_no"),
        sa.ForeignKeyConstraint(["reconciliation_id"], ["reconciliation.id"],
                                name="fk_reconciliation_line_reconciliation_id_reconciliation"),
        sa.ForeignKeyConstraint(["project_instance_id"], ["process_instance.id"],
                                name="fk_reconciliation_line_project_instance_id_process_instance"),
        sa.ForeignKeyConstraint(["bank_explained_by"], ["app_user.id"],
                                name="fk_reconciliation_line_bank_explained_by_app_user"),
        sa.ForeignKeyConstraint(["closed_by"], ["app_user.id"], name="fk_reconciliation_line_closed_by_app_user"),
        sa.CheckConstraint("kind IN ('card_count', 'paid_total', 'paid_project')", name="ck_reconciliation_line_kind"),
        sa.CheckConstraint("reported_count >= 0 AND recorded_count >= 0",
                           name="ck_reconciliation_line_counts_not_negative"),
        sa.CheckConstraint("reported_amount >= 0 AND recorded_amount >= 0",
                           name="ck_reconciliation_line_amounts_not_negative"),
    )


def _sqlite_trigger(changed: str) -> None:
    op.execute(f"CREATE TRIGGER reconciliation_line_fixed BEFORE UPDATE ON reconciliation_line "
               f"WHEN {changed} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")


def _postgresql_trigger(changed: str) -> None:
    op.execute(f"CREATE FUNCTION reconciliation_line_fixed() RETURNS trigger AS $$ BEGIN "
               f"IF {changed} THEN RAISE EXCEPTION '{MESSAGE}'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql")
    op.execute("CREATE TRIGGER reconciliation_line_fixed BEFORE UPDATE ON reconciliation_line "
               "FOR EACH ROW EXECUTE FUNCTION reconciliation_line_fixed()")


def upgrade() -> None:
    _reconciliation()
    _lines()
    if op.get_bind().dialect.name == "postgresql":
        changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FIGURES)
        _postgresql_trigger(changed)
    else:
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FIGURES)
        _sqlite_trigger(changed)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER reconciliation_line_fixed ON reconciliation_line")
        op.execute("DROP FUNCTION reconciliation_line_fixed()")
    op.drop_table("reconciliation_line")
    op.drop_table("reconciliation")
