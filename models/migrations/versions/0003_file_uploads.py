"""Remember every upload (who, under which name), and the name a document was attached under.

The same bytes uploaded by two people are stored once, but each keeps the right to use them
and their own file name.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "file_upload",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer, nullable=True),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_file_upload"),
        sa.ForeignKeyConstraint(["sha256"], ["stored_file.sha256"], name="fk_file_upload_sha256_stored_file"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE",
                                name="fk_file_upload_user_id_app_user"),
    )
    op.create_index("ix_file_upload_sha256_user_id", "file_upload", ["sha256", "user_id"])
    op.execute("INSERT INTO file_upload (sha256, user_id, filename, created_at) "
               "SELECT sha256, created_by, filename, created_at FROM stored_file")
    with op.batch_alter_table("document") as batch:
        batch.add_column(sa.Column("filename", sa.String(255), nullable=True))
    op.execute("UPDATE document SET filename = (SELECT stored_file.filename FROM stored_file "
               "WHERE stored_file.sha256 = document.sha256)")


def downgrade() -> None:
    with op.batch_alter_table("document") as batch:
        batch.drop_column("filename")
    op.drop_index("ix_file_upload_sha256_user_id", table_name="file_upload")
    op.drop_table("file_upload")
