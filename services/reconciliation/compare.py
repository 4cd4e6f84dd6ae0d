"""What the system itself recorded for a bank and a period: its card count and the payments it made.

The card count is the snapshot beside the latest fixed allocation counted at or before the
period's end (the allocation of year Y holds the counts of 31 December Y-1). The amounts are the
payments recorded for the bank's projects with a payment date inside the period, summed exactly
in Decimal per project.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from models.tables import allocation, allocation_share, payment, project
from services.reconciliation.periods import Period


def recorded_card_count(conn: Connection, bank_org_id: int, period: Period) -> tuple[int | None, str]:
    """Return the bank's card count of the latest allocation counted by the period's end, and its source."""
    latest_year = (period.end + timedelta(days=1)).year
    row = conn.execute(
        select(allocation.c.year, allocation_share.c.card_count)
        .join(allocation_share, allocation_share.c.allocation_id == allocation.c.id)
        .where(allocation_share.c.bank_org_id == bank_org_id, allocation.c.year <= latest_year)
        .order_by(allocation.c.year.desc()).limit(1)).first()
    if row is None:
        return None, "无已确定的年度分配"
    return int(row.card_count), f"{row.year}年度分配所依据的{row.year - 1}年末持卡数量"


def recorded_payments(conn: Connection, bank_org_id: int, period: Period) -> list[dict[str, Any]]:
    """Return [{project_id, title, amount}] of the bank's payments dated in the period, per project."""
    rows = conn.execute(
        select(payment.c.instance_id, payment.c.amount, project.c.name)
        .outerjoin(project, project.c.instance_id == payment.c.instance_id)
        .where(payment.c.bank_org_id == bank_org_id, payment.c.paid_on >= period.start,
               payment.c.paid_on <= period.end)).all()
    totals: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    titles: dict[int, str] = {}
    for r in rows:
        totals[r.instance_id] += r.amount
        titles[r.instance_id] = r.name or ""
    return [{"project_id": p, "title": titles[p], "amount": str(totals[p])} for p in sorted(totals)]


def recorded(conn: Connection, bank_org_id: int, period: Period) -> dict[str, Any]:
    """Return the system's figures as process data: card count and its source, total and lines paid."""
    count, source = recorded_card_count(conn, bank_org_id, period)
    lines = recorded_payments(conn, bank_org_id, period)
    total = sum((Decimal(line["amount"]) for line in lines), Decimal("0.00"))
    return {"recorded_card_count": count, "recorded_card_source": source, "recorded_paid_total": str(total),
            "recorded_lines": lines}


def bank_projects(conn: Connection, bank_org_id: int) -> set[int]:
    """Return the ids of the projects the bank pays for."""
    return set(conn.execute(select(project.c.instance_id).where(project.c.bank_org_id == bank_org_id)).scalars())
