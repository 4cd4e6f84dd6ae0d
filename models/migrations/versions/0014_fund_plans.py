"""Fund use plans per bank (§7, Attachment 1): one plan per bank and year (or supplementary round).

- `fund_plan`: a plan is its own process instance (`fund_plan.bpmn`); `number` counts a bank's
  plans of a year (第N号); `status` follows the plan's step.
- `fund_plan_item`: the projects of a plan, one row per project (a project is in at most one plan),
  with the amount planned for it in yuan and the row's remark.

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-06
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.types import Money

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None

STATUSES = "status IN ('draft', 'review', 'signoff', 'bank', 'confirmed', 'terminated')"


def _plan() -> None:
    op.create_table(
        "fund_plan",
        sa.Column("instance_id", sa.Integer, nullable=False),
        sa.Column("bank_org_id", sa.Integer, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("round_id", sa.Integer, nullable=True),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("override_reason", sa.Text, nullable=True),
        sa.Column("prepared_by", sa.Integer, nullable=True),
        sa.Column("reviewed_by", sa.Integer, nullable=True),
        sa.Column("signed_by", sa.Integer, nullable=True),
        sa.Column("signed_at", sa.DateTime, nullable=True),
        sa.Column("confirmed_at", sa.DateTime, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("instance_id", name="pk_fund_plan"),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"],
                                name="fk_fund_plan_instance_id_process_instance"),
        sa.ForeignKeyConstraint(["bank_org_id"], ["organization.id"], name="fk_fund_plan_bank_org_id_organization"),
        sa.ForeignKeyConstraint(["round_id"], ["declaration_round.id"],
                                name="fk_fund_plan_round_id_declaration_round"),
        *[sa.ForeignKeyConstraint([column], ["app_user.id"], name=f"fk_fund_plan_{column}_app_user")
          for column in ("prepared_by", "reviewed_by", "signed_by")],
        sa.UniqueConstraint("bank_org_id", "year", "number", name="uq_fund_plan_bank_year_number"),
        sa.CheckConstraint(STATUSES, name="ck_fund_plan_status"),
        sa.CheckConstraint("number >= 1", name="ck_fund_plan_number_positive"),
    )


def _items() -> None:
    op.create_table(
        "fund_plan_item",
        sa.Column("project_instance_id", sa.Integer, nullable=False),
        sa.Column("plan_instance_id", sa.Integer, nullable=False),
        sa.Column("amount", Money, nullable=False),
        sa.Column("remark", sa.String(500), nullable=False, server_default=""),
        sa.Column("added_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("project_instance_id", name="pk_fund_plan_item"),
        sa.ForeignKeyConstraint(["project_instance_id"], ["project.instance_id"],
                                name="fk_fund_plan_item_project_instance_id_project"),
        sa.ForeignKeyConstraint(["plan_instance_id"], ["fund_plan.instance_id"],
                                name="fk_fund_plan_item_plan_instance_id_fund_plan"),
        sa.CheckConstraint("amount > 0", name="ck_fund_plan_item_amount_positive"),
    )
    op.create_index("ix_fund_plan_item_plan_instance_id", "fund_plan_item", ["plan_instance_id"])


def upgrade() -> None:
    _plan()
    _items()


def downgrade() -> None:
    op.drop_index("ix_fund_plan_item_plan_instance_id", table_name="fund_plan_item")
    op.drop_table("fund_plan_item")
    op.drop_table("fund_plan")
