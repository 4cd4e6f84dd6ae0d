"""Count the instances of each model version without scanning: index process_instance by model and status.

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-29
"""
from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_process_instance_model", "process_instance", ["model_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_process_instance_model", table_name="process_instance")
