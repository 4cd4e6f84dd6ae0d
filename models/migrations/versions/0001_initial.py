"""Initial schema: organisations, users, models, instances, tasks, audit, projects.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.types import Money

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer, "sqlite")

APPEND_ONLY_SQLITE = """
CREATE TRIGGER audit_event_no_{verb} BEFORE {VERB} ON audit_event
BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END
"""
APPEND_ONLY_PG_FUNCTION = """
CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$
"""
APPEND_ONLY_PG_TRIGGER = """
CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event
FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()
"""


def _people() -> None:
    op.create_table(
        "organization",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False, server_default=""),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_organization"),
        sa.UniqueConstraint("code", name="uq_organization_code"),
    )
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("organization_id", sa.Integer, nullable=False),
        sa.Column("is_active", sa.Boolean, nullable=False, server_default="1"),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_app_user"),
        sa.UniqueConstraint("username", name="uq_app_user_username"),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organization.id"],
            name="fk_app_user_organization_id_organization",
        ),
    )
    op.create_table(
        "user_role",
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "role", name="pk_user_role"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], ondelete="CASCADE",
            name="fk_user_role_user_id_app_user",
        ),
    )


def _models_and_instances() -> None:
    op.create_table(
        "process_model",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("process_id", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("bpmn_xml", sa.Text, nullable=False),
        sa.Column("forms_json", sa.Text, nullable=False),
        sa.Column("spec_json", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_process_model"),
        sa.UniqueConstraint("content_hash", name="uq_process_model_content_hash"),
        sa.UniqueConstraint("process_id", "version", name="uq_process_model_version"),
        sa.ForeignKeyConstraint(
            ["created_by"], ["app_user.id"], name="fk_process_model_created_by_app_user"
        ),
    )
    op.create_table(
        "process_instance",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("model_id", sa.Integer, nullable=False),
        sa.Column("process_id", sa.String(100), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("stage", sa.String(40), nullable=False),
        sa.Column("department_org_id", sa.Integer, nullable=True),
        sa.Column("bank_org_id", sa.Integer, nullable=True),
        sa.Column("started_by", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("completed_at", sa.DateTime, nullable=True),
        sa.Column("next_timer_due", sa.DateTime, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("state", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_process_instance"),
        sa.ForeignKeyConstraint(
            ["model_id"], ["process_model.id"], name="fk_process_instance_model_id_process_model"
        ),
        sa.ForeignKeyConstraint(
            ["department_org_id"], ["organization.id"],
            name="fk_process_instance_department_org_id_organization",
        ),
        sa.ForeignKeyConstraint(
            ["bank_org_id"], ["organization.id"],
            name="fk_process_instance_bank_org_id_organization",
        ),
        sa.ForeignKeyConstraint(
            ["started_by"], ["app_user.id"], name="fk_process_instance_started_by_app_user"
        ),
    )
    op.create_index("ix_process_instance_timer", "process_instance", ["status", "next_timer_due"])
    op.create_index(
        "ix_process_instance_department", "process_instance", ["department_org_id", "id"]
    )
    op.create_index("ix_process_instance_bank", "process_instance", ["bank_org_id", "id"])


def _tasks_and_audit() -> None:
    op.create_table(
        "human_task",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("instance_id", sa.Integer, nullable=False),
        sa.Column("task_name", sa.String(100), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("lane", sa.String(32), nullable=False),
        sa.Column("org_id", sa.Integer, nullable=True),
        sa.Column("stage", sa.String(40), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("form_patch", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("due_at", sa.DateTime, nullable=True),
        sa.Column("completed_at", sa.DateTime, nullable=True),
        sa.Column("completed_by", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_human_task"),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["process_instance.id"],
            name="fk_human_task_instance_id_process_instance",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organization.id"], name="fk_human_task_org_id_organization"
        ),
        sa.ForeignKeyConstraint(
            ["completed_by"], ["app_user.id"], name="fk_human_task_completed_by_app_user"
        ),
    )
    op.create_index("ix_human_task_instance_id", "human_task", ["instance_id"])
    op.create_index(
        "ix_human_task_inbox", "human_task", ["status", "lane", "org_id", "due_at", "id"]
    )
    op.create_table(
        "audit_event",
        sa.Column("id", BigId, nullable=False, autoincrement=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor_id", sa.Integer, nullable=True),
        sa.Column("instance_id", sa.Integer, nullable=True),
        sa.Column("task_id", sa.String(36), nullable=True),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_event"),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["app_user.id"], name="fk_audit_event_actor_id_app_user"
        ),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["process_instance.id"],
            name="fk_audit_event_instance_id_process_instance",
        ),
    )
    op.create_index("ix_audit_event_instance_id", "audit_event", ["instance_id"])


def _projects_and_files() -> None:
    op.create_table(
        "project",
        sa.Column("instance_id", sa.Integer, nullable=False),
        sa.Column("year", sa.Integer, nullable=True),
        sa.Column("round", sa.String(20), nullable=True),
        sa.Column("name", sa.String(300), nullable=True),
        sa.Column("category", sa.String(40), nullable=True),
        sa.Column("budget", Money, nullable=True),
        sa.Column("approved_budget", Money, nullable=True),
        sa.Column("plan_amount", Money, nullable=True),
        sa.Column("contractor", sa.String(300), nullable=True),
        sa.Column("procurement_no", sa.String(100), nullable=True),
        sa.Column("contract_price", Money, nullable=True),
        sa.Column("paid_total", Money, nullable=False),
        sa.PrimaryKeyConstraint("instance_id", name="pk_project"),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["process_instance.id"],
            name="fk_project_instance_id_process_instance",
        ),
    )
    op.create_index("ix_project_year_round", "project", ["year", "round"])
    op.create_table(
        "payment",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("instance_id", sa.Integer, nullable=False),
        sa.Column("bank_org_id", sa.Integer, nullable=False),
        sa.Column("instalment", sa.Integer, nullable=False),
        sa.Column("amount", Money, nullable=False),
        sa.Column("notice_date", sa.Date, nullable=False),
        sa.Column("paid_on", sa.Date, nullable=False),
        sa.Column("reference", sa.String(100), nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.Column("recorded_by", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_payment"),
        sa.UniqueConstraint("instance_id", "instalment", name="uq_payment_instalment"),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["process_instance.id"],
            name="fk_payment_instance_id_process_instance",
        ),
        sa.ForeignKeyConstraint(
            ["bank_org_id"], ["organization.id"], name="fk_payment_bank_org_id_organization"
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["app_user.id"], name="fk_payment_recorded_by_app_user"
        ),
    )
    op.create_index("ix_payment_instance_id", "payment", ["instance_id"])
    op.create_table(
        "stored_file",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("sha256", name="pk_stored_file"),
        sa.ForeignKeyConstraint(
            ["created_by"], ["app_user.id"], name="fk_stored_file_created_by_app_user"
        ),
    )
    op.create_table(
        "document",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("instance_id", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("field", sa.String(100), nullable=False),
        sa.Column("task_id", sa.String(36), nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_document"),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["process_instance.id"],
            name="fk_document_instance_id_process_instance",
        ),
        sa.ForeignKeyConstraint(
            ["sha256"], ["stored_file.sha256"], name="fk_document_sha256_stored_file"
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["app_user.id"], name="fk_document_created_by_app_user"
        ),
    )
    op.create_index("ix_document_instance_id", "document", ["instance_id"])
    op.create_index("ix_document_sha256", "document", ["sha256"])


def _append_only_audit() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY_PG_FUNCTION)
        op.execute(APPEND_ONLY_PG_TRIGGER)
    else:
        for verb in ("update", "delete"):
            op.execute(APPEND_ONLY_SQLITE.format(verb=verb, VERB=verb.upper()))


def upgrade() -> None:
    _people()
    _models_and_instances()
    _tasks_and_audit()
    _projects_and_files()
    _append_only_audit()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_event_no_change ON audit_event")
        op.execute("DROP FUNCTION audit_event_append_only()")
    for table in (
        "document", "stored_file", "payment", "project", "audit_event", "human_task",
        "process_instance", "process_model", "user_role", "app_user", "organization",
    ):
        op.drop_table(table)
