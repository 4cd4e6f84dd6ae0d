"""The schema: every table the system keeps, as SQLAlchemy Core tables."""
from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    JSON,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    text,
    UniqueConstraint,
)

from models.types import Money

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

BigId = BigInteger().with_variant(Integer, "sqlite")
PROJECT_LIST_KEYS = ("year", "category", "bank_org_id", "department_org_id", "stage", "status", "name", "budget",
                     "approved_budget", "plan_amount", "contract_price", "paid_total")
PROJECT_AMOUNTS = ("budget", "approved_budget", "plan_amount", "contract_price", "paid_total")

organization = Table(
    "organization",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("name_en", String(200), nullable=False, server_default=""),
    Column("kind", String(20), nullable=False),
)

app_user = Table(
    "app_user",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(100), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("organization_id", ForeignKey("organization.id"), nullable=False),
    Column("is_active", Boolean, nullable=False, server_default="1"),
    Column("created_at", DateTime, nullable=False),
    Column("email", String(255), nullable=True),
)

user_role = Table(
    "user_role",
    metadata,
    Column("user_id", ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(32), primary_key=True),
)

process_model = Table(
    "process_model",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("process_id", String(100), nullable=False),
    Column("version", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("content_hash", String(64), nullable=False, unique=True),
    Column("bpmn_xml", Text, nullable=False),
    Column("forms_json", Text, nullable=False),
    Column("spec_json", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", ForeignKey("app_user.id"), nullable=True),
    UniqueConstraint("process_id", "version", name="uq_process_model_version"),
)

process_instance = Table(
    "process_instance",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("model_id", ForeignKey("process_model.id"), nullable=False),
    Column("process_id", String(100), nullable=False),
    Column("title", String(300), nullable=False),
    Column("status", String(20), nullable=False),
    Column("stage", String(40), nullable=False),
    Column("department_org_id", ForeignKey("organization.id"), nullable=True),
    Column("bank_org_id", ForeignKey("organization.id"), nullable=True),
    Column("started_by", ForeignKey("app_user.id"), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("completed_at", DateTime, nullable=True),
    Column("next_timer_due", DateTime, nullable=True),
    Column("timer_failed_at", DateTime, nullable=True),
    Column("timer_error", Text, nullable=True),
    Column("version", Integer, nullable=False),
    Column("state", LargeBinary, nullable=False),
    Index("ix_process_instance_timer", "status", "next_timer_due"),
    Index("ix_process_instance_department", "department_org_id", "id"),
    Index("ix_process_instance_bank", "bank_org_id", "id"),
    Index("ix_process_instance_model", "model_id", "status"),
)

human_task = Table(
    "human_task",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("instance_id", ForeignKey("process_instance.id"), nullable=False, index=True),
    Column("task_name", String(100), nullable=False),
    Column("title", String(200), nullable=False),
    Column("lane", String(32), nullable=False),
    Column("org_id", ForeignKey("organization.id"), nullable=True),
    Column("stage", String(40), nullable=False),
    Column("status", String(16), nullable=False),
    Column("form_patch", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("due_at", DateTime, nullable=True),
    Column("due_provisional", Boolean, nullable=False, server_default="0"),
    Column("completed_at", DateTime, nullable=True),
    Column("completed_by", ForeignKey("app_user.id"), nullable=True),
    Column("returned_by", ForeignKey("app_user.id"), nullable=True),
    Column("returned_from", String(100), nullable=True),
    Column("return_reason", Text, nullable=True),
    Column("assignee_id", ForeignKey("app_user.id"), nullable=True),
    Index("ix_human_task_inbox", "status", "lane", "org_id", "due_at", "id"),
    Index("ix_human_task_due", "status", "task_name", "due_at"),
)

audit_event = Table(
    "audit_event",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("actor_id", ForeignKey("app_user.id"), nullable=True),
    Column("instance_id", ForeignKey("process_instance.id"), nullable=True),
    Column("task_id", String(36), nullable=True),
    Column("event", String(40), nullable=False),
    Column("data", Text, nullable=False),
    Index("ix_audit_event_at", "at", "id"),
    Index("ix_audit_event_actor", "actor_id", "at", "id"),
    Index("ix_audit_event_event", "event", "at", "id"),
    Index("ix_audit_event_instance", "instance_id", "at", "id"),
)

project = Table(
    "project",
    metadata,
    Column("instance_id", ForeignKey("process_instance.id"), primary_key=True),
    Column("year", Integer, nullable=True),
    Column("round", String(20), nullable=True),
    Column("name", String(300), nullable=True),
    Column("category", String(40), nullable=True),
    Column("budget", Money, nullable=True),
    Column("approved_budget", Money, nullable=True),
    Column("plan_amount", Money, nullable=True),
    Column("contractor", String(300), nullable=True),
    Column("procurement_no", String(100), nullable=True),
    Column("contract_price", Money, nullable=True),
    Column("paid_total", Money, nullable=False),
    Column("card_function_id", ForeignKey("card_function.id"), nullable=True, index=True),
    Column("round_id", ForeignKey("declaration_round.id"), nullable=True),
    Column("contract_no", String(64), nullable=True),
    Column("contract_name", String(200), nullable=True),
    # Copies of the instance's place, kept in step by every change to it, so that the dashboard's
    # list filters and sorts one table with one index per filter or sort (column, instance_id).
    Column("bank_org_id", ForeignKey("organization.id"), nullable=True),
    Column("department_org_id", ForeignKey("organization.id"), nullable=True),
    Column("stage", String(40), nullable=True),
    Column("status", String(20), nullable=True),
    *[Index(f"ix_project_{name}", name, "instance_id") for name in PROJECT_LIST_KEYS],
    *[CheckConstraint(f"{name} >= 0", name=f"{name}_not_negative") for name in PROJECT_AMOUNTS],
    # The payments of a contract never exceed its price: also held by triggers on payment and on
    # project.contract_price (migration 0012), which compare the payment rows themselves.
    CheckConstraint("contract_price IS NULL OR paid_total <= contract_price", name="paid_within_price"),
)

# Running totals for the oversight dashboard, one row per combination of the keys below, kept in
# step with process_instance and project in the same transaction as every change to them: the
# dashboard's counts and amounts read a few hundred rows whatever the number of instances.
# Keys are never NULL (0 / '' stand for "not known yet") so that every combination is one row.
oversight_total = Table(
    "oversight_total",
    metadata,
    Column("bank_org_id", Integer, primary_key=True),
    Column("department_org_id", Integer, primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("round", String(20), primary_key=True),
    Column("category", String(40), primary_key=True),
    Column("stage", String(40), primary_key=True),
    Column("status", String(20), primary_key=True),
    Column("instances", Integer, nullable=False),
    Column("budget", Money, nullable=False),
    Column("approved_budget", Money, nullable=False),
    Column("plan_amount", Money, nullable=False),
    Column("contract_price", Money, nullable=False),
    Column("paid_total", Money, nullable=False),
)

payment = Table(
    "payment",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("instance_id", ForeignKey("process_instance.id"), nullable=False, index=True),
    Column("bank_org_id", ForeignKey("organization.id"), nullable=False),
    Column("instalment", Integer, nullable=False),
    Column("amount", Money, nullable=False),
    Column("notice_date", Date, nullable=False),
    Column("paid_on", Date, nullable=False),
    Column("reference", String(100), nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    Column("recorded_by", ForeignKey("app_user.id"), nullable=False),
    UniqueConstraint("instance_id", "instalment", name="uq_payment_instalment"),
    Index("uq_payment_bank_reference", "bank_org_id", "reference", unique=True),
    CheckConstraint("amount >= 0", name="amount_not_negative"),
)

payment_notice = Table(
    "payment_notice",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("instance_id", ForeignKey("process_instance.id"), nullable=False, index=True),
    Column("task_id", String(36), nullable=True),
    Column("contractor", String(300), nullable=False),
    Column("invoice_no", String(64), nullable=False),
    Column("invoice_sha256", String(64), nullable=True),
    Column("amount", Money, nullable=False),
    Column("notice_date", Date, nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    Column("recorded_by", ForeignKey("app_user.id"), nullable=True),
    UniqueConstraint("contractor", "invoice_no", name="uq_payment_notice_invoice"),
    CheckConstraint("amount >= 0", name="amount_not_negative"),
)

stored_file = Table(
    "stored_file",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("filename", String(255), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", ForeignKey("app_user.id"), nullable=True),
)

document = Table(
    "document",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("instance_id", ForeignKey("process_instance.id"), nullable=False, index=True),
    Column("sha256", ForeignKey("stored_file.sha256"), nullable=False, index=True),
    Column("field", String(100), nullable=False),
    Column("filename", String(255), nullable=True),
    Column("task_id", String(36), nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", ForeignKey("app_user.id"), nullable=True),
)

# Official documents the system issued (Attachments 1–3 as sealed PDFs): append-only, a corrected
# document is a new version. `public_id` is the unguessable id printed in the seal's QR code.
issued_document = Table(
    "issued_document",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("public_id", String(32), nullable=False, unique=True),
    Column("instance_id", ForeignKey("process_instance.id"), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("version", Integer, nullable=False),
    # Not unique: two unsealed documents with the same content are the same file (a sealed one
    # carries its own public_id, so its bytes are its own).
    Column("sha256", ForeignKey("stored_file.sha256"), nullable=False, index=True),
    Column("signed", Boolean, nullable=False),
    Column("task_id", String(36), nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", ForeignKey("app_user.id"), nullable=True),
    CheckConstraint("kind IN ('payment_notice', 'acceptance_report', 'fund_plan')", name="kind"),
    CheckConstraint("version >= 1", name="version"),
    UniqueConstraint("instance_id", "kind", "version", name="uq_issued_document_version"),
)

user_session = Table(
    "user_session",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("ip", String(64), nullable=False),
)

api_token = Table(
    "api_token",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("revoked_at", DateTime, nullable=True),
)

login_attempt = Table(
    "login_attempt",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("ip", String(64), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("success", Boolean, nullable=False),
    Index("ix_login_attempt_username_at", "username", "at"),
    Index("ix_login_attempt_ip_at", "ip", "at"),
)

comment = Table(
    "comment",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("instance_id", ForeignKey("process_instance.id"), nullable=False, index=True),
    Column("author_id", ForeignKey("app_user.id"), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("body", Text, nullable=False),
)

file_upload = Table(
    "file_upload",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sha256", ForeignKey("stored_file.sha256"), nullable=False),
    Column("user_id", ForeignKey("app_user.id", ondelete="CASCADE"), nullable=True),
    Column("filename", String(255), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Index("ix_file_upload_sha256_user_id", "sha256", "user_id"),
)

card_function = Table(
    "card_function",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("description", Text, nullable=False, server_default=""),
    Column("department_org_id", ForeignKey("organization.id"), nullable=False),
    Column("active", Boolean, nullable=False, server_default="1"),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

funding_year = Table(
    "funding_year",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("annual_opens_on", Date, nullable=False),
    Column("annual_closes_on", Date, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("updated_by", ForeignKey("app_user.id"), nullable=True),
    CheckConstraint("annual_opens_on <= annual_closes_on", name="annual_dates"),
)

declaration_round = Table(
    "declaration_round",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("year", Integer, nullable=False),
    Column("name", String(100), nullable=False),
    Column("opens_on", Date, nullable=False),
    Column("closes_on", Date, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", ForeignKey("app_user.id"), nullable=True),
    UniqueConstraint("year", "name", name="uq_declaration_round_year_name"),
    CheckConstraint("opens_on <= closes_on", name="round_dates"),
    Index("ix_declaration_round_opens_on", "opens_on"),
)

allocation_run = Table(
    "allocation_run",
    metadata,
    Column("instance_id", ForeignKey("process_instance.id"), primary_key=True),
    Column("year", Integer, nullable=True, index=True),
)

allocation = Table(
    "allocation",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("year", Integer, nullable=False, unique=True),
    Column("pool", Money, nullable=False),
    Column("approved_by", ForeignKey("app_user.id"), nullable=False),
    Column("approved_at", DateTime, nullable=False),
    Column("instance_id", ForeignKey("process_instance.id"), nullable=False),
    CheckConstraint("pool >= 0", name="pool_not_negative"),
)

allocation_share = Table(
    "allocation_share",
    metadata,
    Column("allocation_id", ForeignKey("allocation.id"), primary_key=True),
    Column("bank_org_id", ForeignKey("organization.id"), primary_key=True),
    Column("card_count", BigInteger, nullable=False),
    Column("share", Money, nullable=False),
    CheckConstraint("card_count >= 0", name="card_count_not_negative"),
    CheckConstraint("share >= 0", name="share_not_negative"),
)

calendar_override = Table(
    "calendar_override",
    metadata,
    Column("day", Date, primary_key=True),
    Column("is_workday", Boolean, nullable=False),
    Column("name", String(100), nullable=False),
    Column("source", String(300), nullable=False),
    Column("created_by", ForeignKey("app_user.id"), nullable=True),
    Column("created_at", DateTime, nullable=False),
)

calendar_year = Table(
    "calendar_year",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("official", Boolean, nullable=False),
    Column("source", String(300), nullable=False),
    Column("marked_by", ForeignKey("app_user.id"), nullable=True),
    Column("marked_at", DateTime, nullable=False),
)

system_setting = Table(
    "system_setting",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

timer_worker = Table(
    "timer_worker",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("last_run_at", DateTime, nullable=True),
    Column("runs", Integer, nullable=False),
    Column("fired", Integer, nullable=False),
    Column("failed", Integer, nullable=False),
    Column("last_error", Text, nullable=True),
)

notification = Table(
    "notification",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("user_id", ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False),
    Column("instance_id", ForeignKey("process_instance.id"), nullable=True),
    Column("kind", String(40), nullable=False),
    Column("dedupe_key", String(200), nullable=False),
    Column("params", JSON, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("read_at", DateTime, nullable=True),
    Column("email_to", String(255), nullable=True),
    Column("sent_at", DateTime, nullable=True),
    Column("send_attempts", Integer, nullable=False, server_default="0"),
    Column("send_error", Text, nullable=True),
    UniqueConstraint("user_id", "dedupe_key", name="uq_notification_user_dedupe"),
    Index("ix_notification_user_unread", "user_id", "read_at", "id"),
    Index("ix_notification_outbox", "sent_at", "email_to", "id"),
)
reconciliation = Table(
    "reconciliation",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("instance_id", ForeignKey("process_instance.id"), nullable=False),
    Column("bank_org_id", ForeignKey("organization.id"), nullable=False),
    Column("period", String(10), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("status", String(20), nullable=False),
    Column("scheduled", Boolean, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("reported_at", DateTime, nullable=True),
    Column("closed_at", DateTime, nullable=True),
    UniqueConstraint("instance_id"),
    # One live reconciliation per bank and period; a terminated one keeps its row but frees the slot.
    Index("uq_reconciliation_bank_period_live", "bank_org_id", "period", unique=True,
          sqlite_where=text("status <> 'terminated'"), postgresql_where=text("status <> 'terminated'")),
    CheckConstraint("status IN ('reporting', 'explaining', 'closed', 'terminated')", name="status"),
    CheckConstraint("period_start <= period_end", name="period_order"),
)
reconciliation_line = Table(
    "reconciliation_line",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reconciliation_id", ForeignKey("reconciliation.id"), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("label", String(300), nullable=False),
    Column("project_instance_id", ForeignKey("process_instance.id"), nullable=True),
    Column("reported_count", BigInteger, nullable=True),
    Column("recorded_count", BigInteger, nullable=True),
    Column("reported_amount", Money, nullable=True),
    Column("recorded_amount", Money, nullable=True),
    Column("differs", Boolean, nullable=False),
    Column("bank_explanation", Text, nullable=True),
    Column("bank_explained_by", ForeignKey("app_user.id"), nullable=True),
    Column("bank_explained_at", DateTime, nullable=True),
    Column("bureau_explanation", Text, nullable=True),
    Column("closed_by", ForeignKey("app_user.id"), nullable=True),
    Column("closed_at", DateTime, nullable=True),
    UniqueConstraint("reconciliation_id", "line_no", name="uq_reconciliation_line_no"),
    CheckConstraint("kind IN ('card_count', 'paid_total', 'paid_project')", name="kind"),
    CheckConstraint("reported_count >= 0 AND recorded_count >= 0", name="counts_not_negative"),
    CheckConstraint("reported_amount >= 0 AND recorded_amount >= 0", name="amounts_not_negative"),
)

idempotency_key = Table(
    "idempotency_key",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("user_id", ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(200), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("status", Integer, nullable=True),
    Column("body", LargeBinary, nullable=True),
    Column("location", String(500), nullable=True),
    Column("completed_at", DateTime, nullable=True),
    UniqueConstraint("user_id", "key", name="uq_idempotency_key_user_key"),
    Index("ix_idempotency_key_created_at", "created_at"),
)

# Fund use plans (§7, Attachment 1): one bank's table for a year (round_id NULL: the annual plan)
# or a supplementary round, each its own `fund_plan` process instance. Status follows its step:
# draft (plan_prepare; only a draft plan takes new projects), review, signoff, bank, confirmed.
fund_plan = Table(
    "fund_plan",
    metadata,
    Column("instance_id", ForeignKey("process_instance.id"), primary_key=True),
    Column("bank_org_id", ForeignKey("organization.id"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("round_id", ForeignKey("declaration_round.id"), nullable=True),
    Column("number", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("override_reason", Text, nullable=True),
    Column("prepared_by", ForeignKey("app_user.id"), nullable=True),
    Column("reviewed_by", ForeignKey("app_user.id"), nullable=True),
    Column("signed_by", ForeignKey("app_user.id"), nullable=True),
    Column("signed_at", DateTime, nullable=True),
    Column("confirmed_at", DateTime, nullable=True),
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("bank_org_id", "year", "number", name="uq_fund_plan_bank_year_number"),
    CheckConstraint("status IN ('draft', 'review', 'signoff', 'bank', 'confirmed', 'terminated')", name="status"),
    CheckConstraint("number >= 1", name="number_positive"),
)

# The projects of a plan (a project is in at most one plan); 序号 = order by added_at, project.
fund_plan_item = Table(
    "fund_plan_item",
    metadata,
    Column("project_instance_id", ForeignKey("project.instance_id"), primary_key=True),
    Column("plan_instance_id", ForeignKey("fund_plan.instance_id"), nullable=False, index=True),
    Column("amount", Money, nullable=False),
    Column("remark", String(500), nullable=False, server_default=""),
    Column("added_at", DateTime, nullable=False),
    CheckConstraint("amount > 0", name="amount_positive"),
)

rate_window = Table(
    "rate_window",
    metadata,
    Column("key", String(120), primary_key=True),
    Column("window_start", DateTime, nullable=False),
    Column("hits", Integer, nullable=False),
    CheckConstraint("hits >= 0", name="hits_not_negative"),
    Index("ix_rate_window_window_start", "window_start"),
)
