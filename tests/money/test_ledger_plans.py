"""The ledger's planned column from per-bank plans: a project counts its plan row once the head signs the plan."""
from __future__ import annotations

from decimal import Decimal

from services.context import Services
from services.money.ledger import ledger
from services.plans.moves import Target, move_project
from services.users import load_actor
from tests.services import plan_world as world


def _planned(ctx: Services) -> dict[str, dict[str, str]]:
    data = ledger(ctx, load_actor(ctx, "supervisor"), world.YEAR)
    return {b["bank"]: {"planned": b["planned"], "remaining": b["remaining"],
                        **{c["category"]: c["planned"] for c in b["categories"]}} for b in data["years"][0]["banks"]}


def test_planned_follows_the_plans_signature_and_its_row_amounts(services: Services) -> None:
    world.fix_allocation(services)
    a = world.reviewed(services, "社保卡乘车码应用", "820000.00")
    b = world.reviewed(services, "社保卡就医一码通", "1234.56")
    plan = world.join(services, a, "bank-icbc", "800000.00")  # planned below the approved budget
    world.join(services, b, "bank-icbc", "1234.56")
    assert _planned(services)["bank-icbc"]["planned"] == "0.00"  # a draft plan plans nothing yet
    world.advance(services, plan, "signoff")
    assert _planned(services)["bank-icbc"]["planned"] == "0.00"
    world.advance_from(services, plan, "signoff", "bank", plan_override_reason="急需上线，经局务会同意。")
    signed = _planned(services)["bank-icbc"]
    assert signed == {"planned": "801234.56", "remaining": "-281234.56", "it.software": "801234.56"}
    world.advance_from(services, plan, "bank", "confirmed")  # the projects move on to procurement
    assert _planned(services)["bank-icbc"] == signed


def test_a_moved_project_is_planned_with_its_new_bank(services: Services) -> None:
    world.fix_allocation(services)
    a = world.reviewed(services, "社保卡乘车码应用", "300000.00")
    c = world.reviewed(services, "社保卡文旅惠民一卡通", "10000.00")
    icbc = world.join(services, a, "bank-icbc", "300000.00")
    abc = world.join(services, c, "bank-abc", "10000.00")
    move_project(services, load_actor(services, "hrss_clerk"), icbc, a, Target(plan_id=abc))
    world.advance(services, abc, "bank", "bank-abc")
    planned = _planned(services)
    assert planned["bank-abc"]["planned"] == "310000.00" and planned["bank-abc"]["remaining"] == "0.00"
    assert planned.get("bank-icbc", {}).get("planned", "0.00") == "0.00"
    assert Decimal(planned["bank-trcb"]["planned"]) == 0
