"""The plan table as its task pages show it: rows in 万元 with 合计, the bank's allocation figures, and
the preparer's form with the rows' current remarks."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from models.types import to_money
from services.money.wan import to_wan
from services.plans import figures, records

PREPARE = "plan_prepare"
REMARK_ROWS = "plan_rows"


def _wan(amount: Decimal | None) -> str | None:
    return None if amount is None else to_wan(amount)


def plan_view(conn: Connection, instance_id: int) -> dict[str, Any] | None:
    """Return the plan whose process instance is *instance_id* as a table; None if it is not a plan."""
    plan = records.plan_row(conn, instance_id)
    if plan is None:
        return None
    rows = records.items(conn, instance_id)
    total = sum((row.amount for row in rows), Decimal("0.00"))
    allocation = figures.allocation_of(conn, plan.bank_org_id, plan.year)
    signed = figures.signed_total(conn, plan.bank_org_id, plan.year)
    counted = total if plan.status not in figures.SIGNED else Decimal("0.00")  # a signed plan is in `signed`
    planned = signed + counted
    return {
        "instance_id": plan.instance_id, "bank": plan.bank_code, "bank_name": plan.bank_name, "year": plan.year,
        "round_id": plan.round_id, "number": plan.number, "status": plan.status,
        "override_reason": plan.override_reason,
        "rows": [{"number": row.number, "project_instance_id": row.project_instance_id, "name": row.name,
                  "amount": str(row.amount), "amount_wan": to_wan(row.amount), "remark": row.remark}
                 for row in rows],
        "total": str(total), "total_wan": to_wan(total),
        "allocation_wan": _wan(allocation), "planned_wan": to_wan(planned),
        "difference_wan": _wan(None if allocation is None else allocation - planned),
    }


def task_plan(conn: Connection, instance_id: int) -> dict[str, Any] | None:
    """Return the plan table the API shows with a task of the plan *instance_id*; None if it is not a plan.

    Amounts are yuan with two decimals, as strings. Whoever may see the task may see its plan (the
    plan's instance carries its bank, so a bank sees its own plans only).
    """
    plan = records.plan_row(conn, instance_id)
    if plan is None:
        return None
    rows = records.items(conn, instance_id)
    return {
        "id": plan.instance_id, "bank": plan.bank_code, "bank_name": plan.bank_name, "year": plan.year,
        "number": plan.number, "status": plan.status,
        "rows": [{"no": row.number, "project_id": row.project_instance_id, "name": row.name,
                  "amount": str(to_money(row.amount)), "remark": row.remark} for row in rows],
        "total": str(to_money(sum((row.amount for row in rows), Decimal("0.00")))),
    }


def with_current_remarks(conn: Connection, instance_id: int, task_name: str, form: dict[str, Any]) -> dict[str, Any]:
    """Fill the preparer's remark rows (`plan_rows` of `plan_prepare`) with the remarks the plan's rows hold now.

    The remarks live in the plan's table, not in the task's data (`x-prefill: false`: a send-back or a
    move between plans leaves the data of an earlier round stale), so they are read when the form is shown.
    Rows without a remark are left out (the preparer lists a row to change it); a listed row whose remark
    is emptied clears it (the page sends the emptied text as ''). *form* is changed in place (callers pass
    their own copy) and returned; other forms are returned unchanged.
    """
    rows = form.get("properties", {}).get(REMARK_ROWS)
    if task_name != PREPARE or not isinstance(rows, dict):
        return form
    rows["default"] = [{"project": item.project_instance_id, "remark": item.remark}
                       for item in records.items(conn, instance_id) if item.remark]
    return form
