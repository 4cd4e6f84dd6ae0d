"""Oversight: dashboard totals, indexes for the instance list and the audit page, task assignees.

- `oversight_total`: running counts and sums per bank, department, year, round, category, stage
  and status, built here from the existing projects and kept up to date by every step.
- `project.contract_no` and `project.contract_name`, filled from the contracts already signed
  (their values are in the audit history of the `contract` task); `project.bank_org_id`,
  `department_org_id`, `stage` and `status`, copies of the instance's, so that the list filters
  and sorts a single table.
- `human_task.assignee_id`: a task an administrator reassigned to one named user.
- Indexes: each filter and sort of the instance list (project column, then the id), the
  payment due dates, and the audit page's filters (then time and id, newest first).

Revision ID: 0007
Revises: 0009
Create Date: 2026-11-30
"""
from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from models.types import Money

revision = "0007"
down_revision = "0009"
branch_labels = None
depends_on = None

MONEY = ("budget", "approved_budget", "plan_amount", "contract_price", "paid_total")
PROJECT_SORTS = ("year", "category", "bank_org_id", "department_org_id", "stage", "status", "name", *MONEY)
PLACE = ("bank_org_id", "department_org_id", "stage", "status")
KEYS = ("bank_org_id", "department_org_id", "year", "round", "category", "stage", "status")


def _totals_table() -> None:
    op.create_table(
        "oversight_total",
        sa.Column("bank_org_id", sa.Integer, nullable=False),
        sa.Column("department_org_id", sa.Integer, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("round", sa.String(20), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("stage", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("instances", sa.Integer, nullable=False),
        *[sa.Column(name, Money, nullable=False) for name in MONEY],
        sa.PrimaryKeyConstraint(*KEYS, name="pk_oversight_total"),
    )


def _fill_totals() -> None:
    sums = ", ".join(f"COALESCE(SUM(p.{name}), 0)" for name in MONEY)
    keys = ("COALESCE(i.bank_org_id, 0), COALESCE(i.department_org_id, 0), COALESCE(p.year, 0), "
            "COALESCE(p.round, ''), COALESCE(p.category, ''), i.stage, i.status")
    op.execute(f"INSERT INTO oversight_total ({', '.join(KEYS)}, instances, {', '.join(MONEY)}) "
               f"SELECT {keys}, COUNT(*), {sums} FROM process_instance i "
               f"JOIN project p ON p.instance_id = i.id GROUP BY {keys}")


def _fill_contracts() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT instance_id, data FROM audit_event WHERE event = 'task_completed' "
        "AND instance_id IS NOT NULL AND data LIKE '%\"contract\"%' ORDER BY id")).all()
    latest: dict[int, dict[str, str]] = {}
    for instance_id, raw in rows:
        event = json.loads(raw)
        if event.get("task") == "contract":
            values = event.get("data") or {}
            latest[instance_id] = {"no": values.get("contract_no"), "name": values.get("contract_name")}
    update = sa.text("UPDATE project SET contract_no = :no, contract_name = :name WHERE instance_id = :id")
    for instance_id, values in latest.items():
        conn.execute(update, {"id": instance_id, **values})


def upgrade() -> None:
    with op.batch_alter_table("project") as batch:
        batch.add_column(sa.Column("contract_no", sa.String(64), nullable=True))
        batch.add_column(sa.Column("contract_name", sa.String(200), nullable=True))
        batch.add_column(sa.Column("bank_org_id", sa.Integer, nullable=True))
        batch.add_column(sa.Column("department_org_id", sa.Integer, nullable=True))
        batch.add_column(sa.Column("stage", sa.String(40), nullable=True))
        batch.add_column(sa.Column("status", sa.String(20), nullable=True))
        batch.create_foreign_key("fk_project_bank_org_id_organization", "organization", ["bank_org_id"], ["id"])
        batch.create_foreign_key("fk_project_department_org_id_organization", "organization",
                                 ["department_org_id"], ["id"])
    copies = ", ".join(f"{c} = (SELECT i.{c} FROM process_instance i WHERE i.id = project.instance_id)"
                       for c in PLACE)
    op.execute(f"UPDATE project SET {copies}")
    with op.batch_alter_table("human_task") as batch:
        batch.add_column(sa.Column("assignee_id", sa.Integer, nullable=True))
        batch.create_foreign_key("fk_human_task_assignee_id_app_user", "app_user", ["assignee_id"], ["id"])
    op.drop_index("ix_project_year_round", table_name="project")
    for name in PROJECT_SORTS:
        op.create_index(f"ix_project_{name}", "project", [name, "instance_id"])
    op.create_index("ix_human_task_due", "human_task", ["status", "task_name", "due_at"])
    op.drop_index("ix_audit_event_instance_id", table_name="audit_event")
    op.create_index("ix_audit_event_at", "audit_event", ["at", "id"])
    for name, column in (("actor", "actor_id"), ("event", "event"), ("instance", "instance_id")):
        op.create_index(f"ix_audit_event_{name}", "audit_event", [column, "at", "id"])
    _totals_table()
    _fill_totals()
    _fill_contracts()


def downgrade() -> None:
    op.drop_table("oversight_total")
    for name in ("at", "actor", "event", "instance"):
        op.drop_index(f"ix_audit_event_{name}", table_name="audit_event")
    op.create_index("ix_audit_event_instance_id", "audit_event", ["instance_id"])
    op.drop_index("ix_human_task_due", table_name="human_task")
    for name in PROJECT_SORTS:
        op.drop_index(f"ix_project_{name}", table_name="project")
    op.create_index("ix_project_year_round", "project", ["year", "round"])
    with op.batch_alter_table("human_task") as batch:
        batch.drop_constraint("fk_human_task_assignee_id_app_user", type_="foreignkey")
        batch.drop_column("assignee_id")
    with op.batch_alter_table("project") as batch:
        batch.drop_constraint("fk_project_department_org_id_organization", type_="foreignkey")
        batch.drop_constraint("fk_project_bank_org_id_organization", type_="foreignkey")
        for name in (*reversed(PLACE), "contract_name", "contract_no"):
            batch.drop_column(name)
