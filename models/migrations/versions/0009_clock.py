"""The statutory clock: calendar overrides and official years, timer workers, notifications.

Adds the per-task provisional flag of due dates, the timer failure mark of an instance and
the users' e-mail addresses. A notification stores its kind and parameters; its text is written
in the reader's language when shown.

Revision ID: 0009
Revises: 0005
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0005"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def _calendar() -> None:
    op.create_table(
        "calendar_override",
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("is_workday", sa.Boolean, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("created_by", sa.Integer, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("day", name="pk_calendar_override"),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name="fk_calendar_override_created_by_app_user"),
    )
    op.create_table(
        "calendar_year",
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("official", sa.Boolean, nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("marked_by", sa.Integer, nullable=True),
        sa.Column("marked_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("year", name="pk_calendar_year"),
        sa.ForeignKeyConstraint(["marked_by"], ["app_user.id"], name="fk_calendar_year_marked_by_app_user"),
    )
    op.create_table(
        "system_setting",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_system_setting"),
    )


def _worker_and_notifications() -> None:
    op.create_table(
        "timer_worker",
        sa.Column("id", sa.String(100), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("last_run_at", sa.DateTime, nullable=True),
        sa.Column("runs", sa.Integer, nullable=False),
        sa.Column("fired", sa.Integer, nullable=False),
        sa.Column("failed", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_timer_worker"),
    )
    op.create_table(
        "notification",
        sa.Column("id", BigId, nullable=False, autoincrement=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("instance_id", sa.Integer, nullable=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("dedupe_key", sa.String(200), nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("read_at", sa.DateTime, nullable=True),
        sa.Column("email_to", sa.String(255), nullable=True),
        sa.Column("sent_at", sa.DateTime, nullable=True),
        sa.Column("send_attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("send_error", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_notification"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE",
                                name="fk_notification_user_id_app_user"),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"],
                                name="fk_notification_instance_id_process_instance"),
        sa.UniqueConstraint("user_id", "dedupe_key", name="uq_notification_user_dedupe"),
    )
    op.create_index("ix_notification_user_unread", "notification", ["user_id", "read_at", "id"])
    op.create_index("ix_notification_outbox", "notification", ["sent_at", "email_to", "id"])


def upgrade() -> None:
    _calendar()
    _worker_and_notifications()
    with op.batch_alter_table("process_instance") as batch:
        batch.add_column(sa.Column("timer_failed_at", sa.DateTime, nullable=True))
        batch.add_column(sa.Column("timer_error", sa.Text, nullable=True))
    with op.batch_alter_table("human_task") as batch:
        batch.add_column(sa.Column("due_provisional", sa.Boolean, nullable=False, server_default="0"))
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("email", sa.String(255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("email")
    with op.batch_alter_table("human_task") as batch:
        batch.drop_column("due_provisional")
    with op.batch_alter_table("process_instance") as batch:
        batch.drop_column("timer_error")
        batch.drop_column("timer_failed_at")
    op.drop_index("ix_notification_outbox", "notification")
    op.drop_index("ix_notification_user_unread", "notification")
    for table in ("notification", "timer_worker", "system_setting", "calendar_year", "calendar_override"):
        op.drop_table(table)
