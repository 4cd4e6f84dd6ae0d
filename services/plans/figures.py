"""Figures of the plans: a plan's total and what a bank's allocation for a year still leaves."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Connection, func, select

from models.tables import allocation, allocation_share, fund_plan, fund_plan_item

SIGNED = ("bank", "confirmed")


def plan_total(conn: Connection, plan_instance_id: int) -> Decimal:
    """Return the sum of the amounts of the plan's rows (yuan; 0 for an empty plan)."""
    total = conn.execute(select(func.coalesce(func.sum(fund_plan_item.c.amount), 0))
                         .where(fund_plan_item.c.plan_instance_id == plan_instance_id)).scalar_one()
    return Decimal(total)


def allocation_of(conn: Connection, bank_org_id: int, year: int) -> Decimal | None:
    """Return the bank's share of *year*'s fixed allocation; None if the year has no allocation."""
    found = conn.execute(select(allocation.c.id).where(allocation.c.year == year)).scalar()
    if found is None:
        return None
    share = conn.execute(select(allocation_share.c.share).where(
        allocation_share.c.allocation_id == found, allocation_share.c.bank_org_id == bank_org_id)).scalar()
    return Decimal(share) if share is not None else Decimal(0)


def signed_total(conn: Connection, bank_org_id: int, year: int) -> Decimal:
    """Return the totals of the bank's plans of *year* already signed by the bureau head."""
    total = conn.execute(
        select(func.coalesce(func.sum(fund_plan_item.c.amount), 0))
        .join(fund_plan, fund_plan.c.instance_id == fund_plan_item.c.plan_instance_id)
        .where(fund_plan.c.bank_org_id == bank_org_id, fund_plan.c.year == year,
               fund_plan.c.status.in_(SIGNED))).scalar_one()
    return Decimal(total)


def remaining_allocation(conn: Connection, bank_org_id: int, year: int) -> Decimal | None:
    """Return the bank's allocation for *year* less its signed plans; None when the year has no allocation."""
    share = allocation_of(conn, bank_org_id, year)
    if share is None:
        return None
    return share - signed_total(conn, bank_org_id, year)
