"""Build per-bank fund use plans for the tests of moves, the plans pages and the ledger.

Projects are declared, reviewed and assigned a bank through the services as people would: the
assignment (`assign_bank`) lists the project in its bank's draft plan, opened on demand by the
`fund_plan` process. Plans move on through their own steps.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from models.tables import process_instance, project
from services.context import Services
from services.instances import show_instance
from services.plans.joining import start_plan
from services.plans.records import plan_of_project
from services.tasks import complete_task
from services.users import load_actor, org_id_by_code
from tests import support
from tests.services import allocation_helpers as alloc
from tests.services.journey import Journey

YEAR = 2026
SHARES = {"bank-icbc": Decimal("520000.00"), "bank-abc": Decimal("310000.00"), "bank-trcb": Decimal("170000.00")}
BANK_USERS = {"bank-icbc": "icbc_user", "bank-abc": "abc_user", "bank-trcb": "trcb_user"}


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


def three_projects_in_two_plans(ctx: Services) -> dict[str, int]:
    """Projects a and b in the ICBC draft plan, c in the ABC one; their ids and the two plans' ids."""
    a = reviewed(ctx, "社保卡乘车码应用", "820000.00")
    b = reviewed(ctx, "社保卡就医一码通", "1234.56")
    icbc = join(ctx, a, "bank-icbc", "820000.00")
    join(ctx, b, "bank-icbc", "1234.56")
    c = reviewed(ctx, "社保卡文旅惠民一卡通", "300000.00")
    abc = join(ctx, c, "bank-abc", "300000.00")
    return {"a": a, "b": b, "c": c, "icbc": icbc, "abc": abc}


def _task(ctx: Services, instance_id: int, name: str) -> str:
    ids = [t["id"] for t in show_instance(ctx, None, instance_id)["open_tasks"] if t["name"] == name]
    assert len(ids) == 1, f"{name} is not open in instance {instance_id}"
    return ids[0]


def join(ctx: Services, project_id: int, bank: str, amount: str, remark: str = "") -> int:
    """Assign the project to *bank* with *amount* (the bureau): it joins the bank's draft plan; return the plan."""
    data = {"bank": bank, "plan_amount": amount, **({"plan_remarks": remark} if remark else {})}
    complete_task(ctx, load_actor(ctx, "hrss_clerk"), _task(ctx, project_id, "assign_bank"), data)
    with ctx.db.read() as conn:
        plan = plan_of_project(conn, project_id)
    assert plan is not None
    return plan


def step(ctx: Services, plan_id: int, username: str, name: str, data: dict[str, Any]) -> None:
    """Complete the plan's step *name* as *username*."""
    complete_task(ctx, load_actor(ctx, username), _task(ctx, plan_id, name), data)


ORDER = ("draft", "review", "signoff", "bank", "confirmed")


def advance(ctx: Services, plan_id: int, to: str, bank: str = "bank-icbc", **signoff: Any) -> None:
    """Take a draft plan through its steps until it is at *to* (review, signoff, bank or confirmed)."""
    advance_from(ctx, plan_id, "draft", to, bank, **signoff)


def advance_from(ctx: Services, plan_id: int, at: str, to: str, bank: str = "bank-icbc", **signoff: Any) -> None:
    """Take a plan that is at *at* through its steps until it is at *to*."""
    steps = [("hrss_clerk", "plan_prepare", {}),
             ("hrss_reviewer", "plan_review", support.decision("plan_review")),
             ("hrss_head", "plan_signoff", {**support.decision("plan_signoff"), **signoff}),
             (BANK_USERS[bank], "bank_confirm", support.SECURE_FUNDS)]
    for username, name, data in steps[ORDER.index(at):ORDER.index(to)]:
        step(ctx, plan_id, username, name, data)


def bank_of(ctx: Services, project_id: int) -> dict[str, Any]:
    """Return where the project's bank is stored: its instance row and its project row."""
    with ctx.db.read() as conn:
        return {"instance": conn.execute(select(process_instance.c.bank_org_id)
                                         .where(process_instance.c.id == project_id)).scalar_one(),
                "project": conn.execute(select(project.c.bank_org_id)
                                        .where(project.c.instance_id == project_id)).scalar_one()}


def second_plan_at_signoff(ctx: Services, amount: str = "1234.50") -> int:
    """ICBC's plan 第1号 signed above its ¥520,000.00 share (remaining -¥301,234.56); plan 第2号 with one
    project of *amount* waits for the head's sign-off. Return plan 第2号."""
    first = three_projects_in_two_plans(ctx)
    advance(ctx, first["icbc"], "bank", plan_override_reason="急需上线，经局务会同意。")
    second = join(ctx, reviewed(ctx, "社保卡助残服务", amount), "bank-icbc", amount)
    assert second != first["icbc"]
    advance(ctx, second, "signoff")
    return second


def empty_plans(ctx: Services, count: int, bank: str = "bank-trcb", year: int = YEAR) -> list[int]:
    """Start *count* plans of *bank* for *year* that list no project yet (第1号, 第2号, …); return them."""
    clerk, started = load_actor(ctx, "hrss_clerk").id, []
    for _ in range(count):
        with ctx.db.write() as conn:
            started.append(start_plan(ctx, conn, clerk, bank, org_id_by_code(conn, bank), year, None, ctx.clock.now()))
    return started
