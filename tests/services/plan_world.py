"""Build per-bank fund use plans for the tests of moves, the plans pages and the ledger.

Projects are declared and reviewed through the services as people would. Joining a plan stands in
for the `fund_plan` process's `assign_bank` step until that lands: it opens the bank's draft plan
(an instance of its own) and adds the project, writing the project's bank where the process does
(instance, project row, running totals).
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import Connection, func, insert, select, update

from models.tables import fund_plan, fund_plan_item, process_instance, process_model, project
from services.clock import to_db
from services.context import Services
from services.oversight import totals
from services.users import load_actor, org_id_by_code
from tests import support
from tests.services import allocation_helpers as alloc
from tests.services.journey import Journey

YEAR = 2026
SHARES = {"bank-icbc": Decimal("520000.00"), "bank-abc": Decimal("310000.00"), "bank-trcb": Decimal("170000.00")}


def fix_allocation(ctx: Services, year: int = YEAR) -> None:
    """Run the year's allocation (pool ¥1,000,000.00: icbc 520,000, abc 310,000, trcb 170,000)."""
    alloc.run_to_fixed(ctx, allocation_year=year)


def reviewed(ctx: Services, name: str, amount: str) -> int:
    """Declare and review a project with *amount* approved; return its instance id."""
    journey = Journey(ctx)
    journey.do("health_user", "declare", support.declare(journey.sha, project_name=name, budget=amount,
                                                         budget_lines=[]))
    journey.do("bdc_reviewer", "review", support.review(sha=journey.sha, approved_budget=amount))
    return journey.instance_id


def _open_plan(conn: Connection, bank_id: int, year: int, status: str, at: datetime, user_id: int) -> int:
    number = (conn.execute(select(func.max(fund_plan.c.number)).where(
        fund_plan.c.bank_org_id == bank_id, fund_plan.c.year == year)).scalar() or 0) + 1
    model_id = conn.execute(select(func.min(process_model.c.id))).scalar_one()
    plan_id = conn.execute(insert(process_instance).values(
        model_id=model_id, process_id="fund_plan", title=f"{year} 第{number}号", status="running",
        stage="plan", bank_org_id=bank_id, started_by=user_id, created_at=to_db(at), updated_at=to_db(at),
        version=1, state=orjson.dumps({}))).inserted_primary_key[0]
    conn.execute(insert(fund_plan).values(instance_id=plan_id, bank_org_id=bank_id, year=year, number=number,
                                          status=status, created_at=to_db(at)))
    return int(plan_id)


def join(ctx: Services, project_id: int, bank: str, amount: str, remark: str = "") -> int:
    """Add the project to *bank*'s draft plan of its year (opened if there is none); return the plan id."""
    at, clerk = ctx.clock.now(), load_actor(ctx, "hrss_clerk")
    with ctx.db.write() as conn:
        bank_id = org_id_by_code(conn, bank)
        row = conn.execute(select(process_instance).where(process_instance.c.id == project_id)).one()
        year = conn.execute(select(project.c.year).where(project.c.instance_id == project_id)).scalar_one()
        plan_id = conn.execute(select(fund_plan.c.instance_id).where(
            fund_plan.c.bank_org_id == bank_id, fund_plan.c.year == year, fund_plan.c.status == "draft")).scalar()
        plan_id = plan_id or _open_plan(conn, bank_id, year, "draft", at, clerk.id)
        conn.execute(insert(fund_plan_item).values(project_instance_id=project_id, plan_instance_id=plan_id,
                                                   amount=Decimal(amount), remark=remark, added_at=to_db(at)))
        conn.execute(update(process_instance).where(process_instance.c.id == project_id).values(bank_org_id=bank_id))
        before = totals.Place(row.bank_org_id, row.department_org_id, row.stage, row.status)
        totals.follow(conn, project_id, before, before._replace(bank_org_id=bank_id), {"plan_amount": Decimal(amount)})
    return int(plan_id)


def set_status(ctx: Services, plan_id: int, status: str) -> None:
    """Move the plan to *status* (review, signoff, bank, confirmed), as its steps do."""
    with ctx.db.write() as conn:
        conn.execute(update(fund_plan).where(fund_plan.c.instance_id == plan_id).values(status=status))


def bank_of(ctx: Services, project_id: int) -> dict[str, Any]:
    """Return where the project's bank is stored: its instance row and its project row."""
    with ctx.db.read() as conn:
        return {"instance": conn.execute(select(process_instance.c.bank_org_id)
                                         .where(process_instance.c.id == project_id)).scalar_one(),
                "project": conn.execute(select(project.c.bank_org_id)
                                        .where(project.c.instance_id == project_id)).scalar_one()}
