"""Remember on a task that a decision sent it back: who returned it, from which step, and why.

Tasks created before this revision are not marked (telling would need every workflow restored).

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("human_task") as batch:
        batch.add_column(sa.Column("returned_by", sa.Integer, nullable=True))
        batch.add_column(sa.Column("returned_from", sa.String(100), nullable=True))
        batch.add_column(sa.Column("return_reason", sa.Text, nullable=True))
        batch.create_foreign_key("fk_human_task_returned_by_app_user", "app_user", ["returned_by"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("human_task") as batch:
        batch.drop_constraint("fk_human_task_returned_by_app_user", type_="foreignkey")
        batch.drop_column("return_reason")
        batch.drop_column("returned_from")
        batch.drop_column("returned_by")
