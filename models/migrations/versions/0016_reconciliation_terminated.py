"""A terminated reconciliation frees its bank and period: one live reconciliation per bank and period.

The unique key on (bank_org_id, period) becomes a unique index over the rows not terminated, and a
reconciliation whose instance an administrator terminated is marked `terminated` (it keeps its row,
its lines and its history), so the bureau or the schedule can start that bank and period again.

Downgrading restores the unique key; it refuses while a bank and period has more than one row, and
gives a terminated row back the status its figures show.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

LIVE = "status <> 'terminated'"
STATUSES = "status IN ('reporting', 'explaining', 'closed', 'terminated')"
OLD_STATUSES = "status IN ('reporting', 'explaining', 'closed')"
DUPLICATES = ("SELECT bank_org_id, period FROM reconciliation GROUP BY bank_org_id, period HAVING count(*) > 1 "
              "ORDER BY bank_org_id, period")
STEP = ("CASE WHEN reported_at IS NULL THEN 'reporting' WHEN closed_at IS NOT NULL THEN 'closed' "
        "ELSE 'explaining' END")


COLUMNS = ("id", "instance_id", "bank_org_id", "period", "period_start", "period_end", "status", "scheduled",
           "created_at", "reported_at", "closed_at")


def _create_sqlite_table(check: str, unique: bool) -> None:
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
        *([sa.UniqueConstraint("bank_org_id", "period", name="uq_reconciliation_bank_period")] if unique else []),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"],
                                name="fk_reconciliation_instance_id_process_instance"),
        sa.ForeignKeyConstraint(["bank_org_id"], ["organization.id"],
                                name="fk_reconciliation_bank_org_id_organization"),
        sa.CheckConstraint(check, name="ck_reconciliation_status"),
        sa.CheckConstraint("period_start <= period_end", name="ck_reconciliation_period_order"),
    )


def _rebuild_sqlite(check: str, unique: bool) -> None:
    """Rebuild the table under its own name, its rows put back after the drop.

    The lines refer to the table: with the foreign keys deferred, dropping it counts each line as
    missing its record, and putting the records back under the same name counts them found again,
    so the transaction commits with every reference checked (a renamed copy would not be counted).
    """
    names = ", ".join(COLUMNS)
    op.execute("PRAGMA defer_foreign_keys = ON")
    op.execute(f"CREATE TABLE reconciliation_0016 AS SELECT {names} FROM reconciliation")
    op.drop_table("reconciliation")
    _create_sqlite_table(check, unique)
    op.execute(f"INSERT INTO reconciliation ({names}) SELECT {names} FROM reconciliation_0016 ORDER BY id")
    op.drop_table("reconciliation_0016")


def _statuses(check: str, unique: bool) -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(check, unique)
        return
    op.drop_constraint("ck_reconciliation_status", "reconciliation", type_="check")
    op.create_check_constraint("ck_reconciliation_status", "reconciliation", sa.text(check))
    if unique:
        op.create_unique_constraint("uq_reconciliation_bank_period", "reconciliation", ["bank_org_id", "period"])
    else:
        op.drop_constraint("uq_reconciliation_bank_period", "reconciliation", type_="unique")


def upgrade() -> None:
    _statuses(STATUSES, unique=False)
    op.execute("UPDATE reconciliation SET status = 'terminated' WHERE instance_id IN "
               "(SELECT id FROM process_instance WHERE status = 'terminated')")
    op.create_index("uq_reconciliation_bank_period_live", "reconciliation", ["bank_org_id", "period"], unique=True,
                    sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE))


def downgrade() -> None:
    duplicates = [tuple(row) for row in op.get_bind().execute(sa.text(DUPLICATES))]
    if duplicates:
        raise RuntimeError(f"0016: these banks and periods have a terminated and a later reconciliation "
                           f"(bank_org_id, period): {duplicates[:20]}; the unique key cannot be restored")
    op.drop_index("uq_reconciliation_bank_period_live", table_name="reconciliation")
    op.execute(f"UPDATE reconciliation SET status = {STEP} WHERE status = 'terminated'")
    _statuses(OLD_STATUSES, unique=True)
