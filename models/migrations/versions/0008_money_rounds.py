"""Card functions, funding years and declaration rounds, and the fixed allocation among banks.

Existing projects keep their year and round. Their free-text card function is carried into
the new function list: one function per distinct text (code `legacy-N`), owned by the
department that declared it first, and each project points at its function.
A fixed allocation and its shares can never be changed or deleted (triggers).

Revision ID: 0008
Revises: 0003
Create Date: 2026-11-29
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from alembic import op

from models.types import Money

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None

FIXED_TABLES = ("allocation", "allocation_share")
FIXED_SQLITE = """
CREATE TRIGGER {table}_no_{verb} BEFORE {VERB} ON {table}
BEGIN SELECT RAISE(ABORT, '{table} is fixed: a fixed allocation is never changed'); END
"""
FIXED_PG_FUNCTION = """
CREATE FUNCTION allocation_is_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '% is fixed: a fixed allocation is never changed', TG_TABLE_NAME; END $$
"""
FIXED_PG_TRIGGER = """
CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION allocation_is_fixed()
"""


def _functions_and_rounds() -> None:
    op.create_table(
        "card_function",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("department_org_id", sa.Integer, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default="1"),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_card_function"),
        sa.UniqueConstraint("code", name="uq_card_function_code"),
        sa.UniqueConstraint("name", name="uq_card_function_name"),
        sa.ForeignKeyConstraint(["department_org_id"], ["organization.id"],
                                name="fk_card_function_department_org_id_organization"),
    )
    op.create_table(
        "funding_year",
        sa.Column("year", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("annual_opens_on", sa.Date, nullable=False),
        sa.Column("annual_closes_on", sa.Date, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("updated_by", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("year", name="pk_funding_year"),
        sa.ForeignKeyConstraint(["updated_by"], ["app_user.id"], name="fk_funding_year_updated_by_app_user"),
        sa.CheckConstraint("annual_opens_on <= annual_closes_on", name="ck_funding_year_annual_dates"),
    )
    op.create_table(
        "declaration_round",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("opens_on", sa.Date, nullable=False),
        sa.Column("closes_on", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_declaration_round"),
        sa.UniqueConstraint("year", "name", name="uq_declaration_round_year_name"),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name="fk_declaration_round_created_by_app_user"),
        sa.CheckConstraint("opens_on <= closes_on", name="ck_declaration_round_round_dates"),
    )
    op.create_index("ix_declaration_round_opens_on", "declaration_round", ["opens_on"])
    with op.batch_alter_table("project") as batch:
        batch.add_column(sa.Column("card_function_id", sa.Integer, nullable=True))
        batch.add_column(sa.Column("round_id", sa.Integer, nullable=True))
        batch.create_foreign_key("fk_project_card_function_id_card_function", "card_function",
                                 ["card_function_id"], ["id"])
        batch.create_foreign_key("fk_project_round_id_declaration_round", "declaration_round", ["round_id"], ["id"])
        batch.create_index("ix_project_card_function_id", ["card_function_id"])


def _allocation() -> None:
    op.create_table(
        "allocation_run",
        sa.Column("instance_id", sa.Integer, nullable=False),
        sa.Column("year", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("instance_id", name="pk_allocation_run"),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"],
                                name="fk_allocation_run_instance_id_process_instance"),
    )
    op.create_index("ix_allocation_run_year", "allocation_run", ["year"])
    op.create_table(
        "allocation",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("pool", Money, nullable=False),
        sa.Column("approved_by", sa.Integer, nullable=False),
        sa.Column("approved_at", sa.DateTime, nullable=False),
        sa.Column("instance_id", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_allocation"),
        sa.UniqueConstraint("year", name="uq_allocation_year"),
        sa.ForeignKeyConstraint(["approved_by"], ["app_user.id"], name="fk_allocation_approved_by_app_user"),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"],
                                name="fk_allocation_instance_id_process_instance"),
        sa.CheckConstraint("pool >= 0", name="ck_allocation_pool_not_negative"),
    )
    op.create_table(
        "allocation_share",
        sa.Column("allocation_id", sa.Integer, nullable=False),
        sa.Column("bank_org_id", sa.Integer, nullable=False),
        sa.Column("card_count", sa.BigInteger, nullable=False),
        sa.Column("share", Money, nullable=False),
        sa.PrimaryKeyConstraint("allocation_id", "bank_org_id", name="pk_allocation_share"),
        sa.ForeignKeyConstraint(["allocation_id"], ["allocation.id"],
                                name="fk_allocation_share_allocation_id_allocation"),
        sa.ForeignKeyConstraint(["bank_org_id"], ["organization.id"],
                                name="fk_allocation_share_bank_org_id_organization"),
        sa.CheckConstraint("card_count >= 0", name="ck_allocation_share_card_count_not_negative"),
        sa.CheckConstraint("share >= 0", name="ck_allocation_share_share_not_negative"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FIXED_PG_FUNCTION)
        for table in FIXED_TABLES:
            op.execute(FIXED_PG_TRIGGER.format(table=table))
    else:
        for table in FIXED_TABLES:
            for verb in ("update", "delete"):
                op.execute(FIXED_SQLITE.format(table=table, verb=verb, VERB=verb.upper()))


def _texts_in(node: Any, found: list[tuple[float, str]], when: float = 0.0) -> None:
    if isinstance(node, dict):
        stamp = node.get("last_state_change")
        when = float(stamp) if isinstance(stamp, (int, float)) else when
        data = node.get("data")
        if isinstance(data, dict) and isinstance(data.get("card_function"), str):
            found.append((when, data["card_function"].strip()))
        for value in node.values():
            _texts_in(value, found, when)
    elif isinstance(node, list):
        for value in node:
            _texts_in(value, found, when)


def card_function_text(state: bytes | str | None) -> str | None:
    """Return the newest card function text in a stored workflow state, if any."""
    try:
        parsed = json.loads(state or b"{}")
    except ValueError:
        return None
    found: list[tuple[float, str]] = []
    _texts_in(parsed, found)
    texts = [text for _when, text in sorted(found, key=lambda f: f[0]) if text]
    return texts[-1][:100] if texts else None


def _carry_card_functions() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT p.instance_id, i.department_org_id, i.state FROM project p "
        "JOIN process_instance i ON i.id = p.instance_id ORDER BY p.instance_id")).all()
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    ids: dict[str, int] = {}
    for instance_id, department_org_id, state in rows:
        text = card_function_text(state)
        if not text or department_org_id is None:
            continue
        if text not in ids:
            conn.execute(sa.text(
                "INSERT INTO card_function (code, name, description, department_org_id, active, created_at, "
                "updated_at) VALUES (:code, :name, :description, :org, :active, :now, :now)"),
                {"code": f"legacy-{len(ids) + 1}", "name": text, "org": department_org_id, "active": True,
                 "description": "由历史申报中填写的应用功能迁移而来。", "now": now})
            ids[text] = conn.execute(sa.text("SELECT id FROM card_function WHERE name = :name"),
                                     {"name": text}).scalar_one()
        conn.execute(sa.text("UPDATE project SET card_function_id = :fid WHERE instance_id = :iid"),
                     {"fid": ids[text], "iid": instance_id})


def upgrade() -> None:
    _functions_and_rounds()
    _allocation()
    _carry_card_functions()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in FIXED_TABLES:
            op.execute(f"DROP TRIGGER {table}_no_change ON {table}")
        op.execute("DROP FUNCTION allocation_is_fixed()")
    with op.batch_alter_table("project") as batch:
        batch.drop_index("ix_project_card_function_id")
        batch.drop_constraint("fk_project_round_id_declaration_round", type_="foreignkey")
        batch.drop_constraint("fk_project_card_function_id_card_function", type_="foreignkey")
        batch.drop_column("round_id")
        batch.drop_column("card_function_id")
    for table in ("allocation_share", "allocation", "allocation_run", "declaration_round", "funding_year",
                  "card_function"):
        op.drop_table(table)
