"""Request limits shared by every server process: one row per purpose and client with its window.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_window",
        sa.Column("key", sa.String(120), nullable=False),
        sa.Column("window_start", sa.DateTime, nullable=False),
        sa.Column("hits", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_rate_window"),
        sa.CheckConstraint("hits >= 0", name="ck_rate_window_hits_not_negative"),
    )
    op.create_index("ix_rate_window_window_start", "rate_window", ["window_start"])


def downgrade() -> None:
    op.drop_index("ix_rate_window_window_start", table_name="rate_window")
    op.drop_table("rate_window")
