"""The plan rows: which plan is open for a bank and year, its number, its projects in 序号 order."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from models.tables import fund_plan, fund_plan_item, organization, project
from services.clock import to_db

DRAFT = "draft"
LOCK_SPACE = 0x706C616E  # "plan": the advisory locks of this module
STATUSES = ("draft", "review", "signoff", "bank", "confirmed", "terminated")


@dataclass(frozen=True)
class PlanItem:
    """One row of a plan table (序号 counts from 1)."""

    number: int
    project_instance_id: int
    name: str
    amount: Decimal
    remark: str


def plan_row(conn: Connection, plan_instance_id: int, lock: bool = False) -> Any:
    """Return the plan with its bank's code and name, None if *plan_instance_id* is not a plan."""
    query = (select(fund_plan, organization.c.code.label("bank_code"), organization.c.name.label("bank_name"))
             .join(organization, organization.c.id == fund_plan.c.bank_org_id)
             .where(fund_plan.c.instance_id == plan_instance_id))
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update(of=fund_plan)
    return conn.execute(query).first()


def _lock_bank_year(conn: Connection, bank_org_id: int, year: int) -> None:
    """Serialise finding-or-starting the bank's draft plan of *year* until the transaction ends (PostgreSQL).

    Without it two first joins at the same moment both find no draft, both start plan 第1号, and the
    second fails on the unique number. SQLite's writers are serialised by BEGIN IMMEDIATE already.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(LOCK_SPACE, bank_org_id * 10000 + year % 10000)))


def open_draft(conn: Connection, bank_org_id: int, year: int, round_id: int | None) -> int | None:
    """Return the draft plan of the bank for the year (annual: *round_id* None) or round, locked; None if none."""
    _lock_bank_year(conn, bank_org_id, year)
    query = select(fund_plan.c.instance_id).where(
        fund_plan.c.bank_org_id == bank_org_id, fund_plan.c.year == year, fund_plan.c.status == DRAFT,
        fund_plan.c.round_id.is_(None) if round_id is None else fund_plan.c.round_id == round_id,
    ).order_by(fund_plan.c.number).limit(1)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return conn.execute(query).scalar()


def next_number(conn: Connection, bank_org_id: int, year: int) -> int:
    """Return the number the bank's next plan of *year* gets (第N号)."""
    return conn.execute(select(func.coalesce(func.max(fund_plan.c.number), 0)).where(
        fund_plan.c.bank_org_id == bank_org_id, fund_plan.c.year == year)).scalar_one() + 1


def create(conn: Connection, instance_id: int, bank_org_id: int, year: int, round_id: int | None, number: int,
           at: datetime) -> None:
    """Record a new draft plan whose process instance is *instance_id*."""
    conn.execute(insert(fund_plan).values(
        instance_id=instance_id, bank_org_id=bank_org_id, year=year, round_id=round_id, number=number,
        status=DRAFT, created_at=to_db(at)))


def add_item(conn: Connection, plan_instance_id: int, project_instance_id: int, amount: Decimal, remark: str,
             at: datetime) -> None:
    """List the project in the plan with its planned amount (yuan) and remark."""
    conn.execute(insert(fund_plan_item).values(
        project_instance_id=project_instance_id, plan_instance_id=plan_instance_id, amount=amount,
        remark=remark[:500], added_at=to_db(at)))


def plan_of_project(conn: Connection, project_instance_id: int) -> int | None:
    """Return the plan the project is listed in, None if it is in none."""
    return conn.execute(select(fund_plan_item.c.plan_instance_id).where(
        fund_plan_item.c.project_instance_id == project_instance_id)).scalar()


def items(conn: Connection, plan_instance_id: int) -> list[PlanItem]:
    """Return the rows of the plan in 序号 order (order of joining, then project)."""
    rows = conn.execute(
        select(fund_plan_item.c.project_instance_id, project.c.name, fund_plan_item.c.amount,
               fund_plan_item.c.remark)
        .join(project, project.c.instance_id == fund_plan_item.c.project_instance_id)
        .where(fund_plan_item.c.plan_instance_id == plan_instance_id)
        .order_by(fund_plan_item.c.added_at, fund_plan_item.c.project_instance_id)).all()
    return [PlanItem(n, r.project_instance_id, r.name or "", Decimal(r.amount), r.remark)
            for n, r in enumerate(rows, start=1)]


def set_remark(conn: Connection, plan_instance_id: int, project_instance_id: int, remark: str) -> None:
    """Change the remark of one row of the plan."""
    conn.execute(update(fund_plan_item).where(
        fund_plan_item.c.plan_instance_id == plan_instance_id,
        fund_plan_item.c.project_instance_id == project_instance_id).values(remark=remark[:500]))


def set_status(conn: Connection, plan_instance_id: int, status: str, **values: Any) -> None:
    """Move the plan to *status*, with other columns to change."""
    conn.execute(update(fund_plan).where(fund_plan.c.instance_id == plan_instance_id)
                 .values(status=status, **values))
