"""Domain records of the fund project: the project row and the payments the banks made."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from models.tables import payment, project
from services.clock import to_db

PROCESS_ID = "fund_project"
PROJECT_FIELDS: dict[str, str] = {
    "declaration_year": "year",
    "declaration_round": "round",
    "project_name": "name",
    "category": "category",
    "budget": "budget",
    "approved_budget": "approved_budget",
    "plan_amount": "plan_amount",
    "contractor": "contractor",
    "procurement_no": "procurement_no",
    "contract_price": "contract_price",
    "paid_total": "paid_total",
    "contract_no": "contract_no",
    "contract_name": "contract_name",
}


def on_start(conn: Connection, instance_id: int) -> None:
    """Create the project row of a new instance."""
    conn.execute(insert(project).values(instance_id=instance_id, paid_total=0))


def project_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """Return the project row's columns whose process data changed in a step, with their new values."""
    return {
        column: after.get(key)
        for key, column in PROJECT_FIELDS.items()
        if after.get(key) != before.get(key) and key in after
    }


def on_data(conn: Connection, instance_id: int, before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
    """Copy the project facts that changed in this step into the project row (without the totals)."""
    changes = project_changes(before, after)
    if changes:
        conn.execute(update(project).where(project.c.instance_id == instance_id).values(**changes))


def on_task_completed(conn: Connection, instance_id: int, task_name: str, data: Mapping[str, Any],
                      bank_org_id: int | None, actor_id: int, at: datetime) -> None:
    """Record a payment when the bank confirms one."""
    if task_name != "payment" or bank_org_id is None:
        return
    instalment = conn.execute(
        select(func.count()).select_from(payment).where(payment.c.instance_id == instance_id)
    ).scalar_one() + 1
    conn.execute(insert(payment).values(
        instance_id=instance_id, bank_org_id=bank_org_id, instalment=instalment,
        amount=data["notice_amount"], notice_date=date.fromisoformat(data["notice_date"]),
        paid_on=date.fromisoformat(data["paid_on"]), reference=data.get("payment_reference", ""),
        recorded_at=to_db(at), recorded_by=actor_id,
    ))

MONEY_COLUMNS = frozenset({"budget", "approved_budget", "plan_amount", "contract_price", "paid_total"})
