"""The bureau moves a project between banks' draft plans: everything follows, or nothing changes."""
from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from models.tables import audit_event, fund_plan, fund_plan_item, oversight_total
from services.context import Services
from services.instances import show_instance
from services.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from services.oversight import totals
from services.plans.moves import Target, move_project
from services.plans.overview import plans_overview
from services.users import load_actor, org_id_by_code
from tests.services import plan_world as world


def _state(ctx: Services) -> dict[str, Any]:
    with ctx.db.read() as conn:
        return {"items": sorted(tuple(r) for r in conn.execute(select(
                    fund_plan_item.c.project_instance_id, fund_plan_item.c.plan_instance_id))),
                "plans": conn.execute(select(func.count()).select_from(fund_plan)).scalar_one(),
                "totals": totals.stored(conn),
                "audit": conn.execute(select(func.count()).select_from(audit_event)).scalar_one()}


def _planned_by_bank(ctx: Services) -> dict[int, Decimal]:
    with ctx.db.read() as conn:
        rows = conn.execute(select(oversight_total.c.bank_org_id, func.sum(oversight_total.c.plan_amount))
                            .group_by(oversight_total.c.bank_org_id))
        return {r[0]: Decimal(r[1]) for r in rows if r[1]}


@pytest.fixture
def two_plans(services: Services) -> dict[str, int]:
    return world.three_projects_in_two_plans(services)


def test_a_move_changes_the_bank_everywhere_and_is_audited(services: Services, two_plans: dict[str, int]) -> None:
    clerk = load_actor(services, "hrss_clerk")
    services.clock.at += timedelta(hours=1)  # type: ignore[attr-defined]
    moved = move_project(services, clerk, two_plans["icbc"], two_plans["a"], Target(plan_id=two_plans["abc"]))
    assert moved["source"]["bank"] == "bank-icbc" and moved["target"]["bank"] == "bank-abc"
    with services.db.read() as conn:
        abc = org_id_by_code(conn, "bank-abc")
        assert conn.execute(select(fund_plan_item.c.plan_instance_id).where(
            fund_plan_item.c.project_instance_id == two_plans["a"])).scalar_one() == two_plans["abc"]
        assert totals.stored(conn) == totals.recomputed(conn)
        assert totals.misplaced(conn) == []
        events = conn.execute(select(audit_event.c.instance_id).where(audit_event.c.event == "plan_project_moved"))
        assert sorted(events.scalars()) == sorted([two_plans["a"], two_plans["icbc"], two_plans["abc"]])
    assert world.bank_of(services, two_plans["a"]) == {"instance": abc, "project": abc}
    assert _planned_by_bank(services)[abc] == Decimal("1120000.00")
    # the plans page shows the project in its new plan, last in the table
    banks = {b["bank"]: b for b in plans_overview(services, clerk, world.YEAR)["banks"]}
    assert [i["name"] for i in banks["bank-abc"]["plans"][0]["items"]] == ["社保卡文旅惠民一卡通", "社保卡乘车码应用"]
    assert banks["bank-abc"]["in_draft"] == {"yuan": "1120000.00", "wan": "112"}
    assert banks["bank-icbc"]["in_draft"] == {"yuan": "1234.56", "wan": "0.123456"}


def test_a_move_to_a_bank_without_a_draft_opens_its_plan(services: Services, two_plans: dict[str, int]) -> None:
    clerk = load_actor(services, "hrss_clerk")
    moved = move_project(services, clerk, two_plans["icbc"], two_plans["b"], Target(bank="bank-trcb"))
    assert moved["target"]["bank"] == "bank-trcb" and moved["target"]["number"] == 1
    banks = {b["bank"]: b for b in plans_overview(services, clerk, world.YEAR)["banks"]}
    (plan,) = banks["bank-trcb"]["plans"]
    assert plan["status"] == "draft" and [i["project_id"] for i in plan["items"]] == [two_plans["b"]]
    assert "plan_prepare" in [t["name"] for t in show_instance(services, None, plan["id"])["open_tasks"]]


def test_a_move_by_bank_uses_that_banks_draft(services: Services, two_plans: dict[str, int]) -> None:
    moved = move_project(services, load_actor(services, "hrss_clerk"), two_plans["icbc"], two_plans["b"],
                         Target(bank="bank-abc"))
    assert moved["target"]["plan_id"] == two_plans["abc"]


@pytest.mark.parametrize("case", ["not_hrss", "bank_user", "not_in_plan", "same_bank", "source_signed",
                                  "target_in_review", "both_targets", "unknown_bank", "unknown_plan"])
def test_refused_moves_change_nothing(services: Services, two_plans: dict[str, int], case: str) -> None:
    clerk = load_actor(services, "hrss_clerk")
    if case == "source_signed":
        world.advance(services, two_plans["icbc"], "bank")
    if case == "target_in_review":
        world.advance(services, two_plans["abc"], "review", "bank-abc")
    before = _state(services)
    who, plan, project, target, error = {
        "not_hrss": ("hrss_head", two_plans["icbc"], two_plans["a"], Target(plan_id=two_plans["abc"]),
                     PermissionDenied),
        "bank_user": ("icbc_user", two_plans["icbc"], two_plans["a"], Target(plan_id=two_plans["abc"]),
                      PermissionDenied),
        "not_in_plan": ("hrss_clerk", two_plans["icbc"], two_plans["c"], Target(plan_id=two_plans["abc"]),
                        ValidationError),
        "same_bank": ("hrss_clerk", two_plans["icbc"], two_plans["a"], Target(bank="bank-icbc"), ValidationError),
        "source_signed": ("hrss_clerk", two_plans["icbc"], two_plans["a"], Target(plan_id=two_plans["abc"]),
                          ConflictError),
        "target_in_review": ("hrss_clerk", two_plans["icbc"], two_plans["a"], Target(plan_id=two_plans["abc"]),
                             ConflictError),
        "both_targets": ("hrss_clerk", two_plans["icbc"], two_plans["a"],
                         Target(plan_id=two_plans["abc"], bank="bank-abc"), ValidationError),
        "unknown_bank": ("hrss_clerk", two_plans["icbc"], two_plans["a"], Target(bank="bank-nowhere"),
                         ValidationError),
        "unknown_plan": ("hrss_clerk", 999999, two_plans["a"], Target(plan_id=two_plans["abc"]), NotFound),
    }[case]
    with pytest.raises(error):
        move_project(services, load_actor(services, who) if who != "hrss_clerk" else clerk, plan, project, target)
    assert _state(services) == before


def test_two_racing_moves_of_one_project_one_wins_and_the_totals_hold(services: Services,
                                                                      two_plans: dict[str, int]) -> None:
    clerk = load_actor(services, "hrss_clerk")
    world.join(services, world.reviewed(services, "社保卡公共自行车租借", "5000.00"), "bank-trcb", "5000.00")
    barrier, results = threading.Barrier(2), []

    def move(bank: str) -> None:
        barrier.wait()
        try:
            results.append(move_project(services, clerk, two_plans["icbc"], two_plans["a"], Target(bank=bank)))
        except (ValidationError, ConflictError) as exc:
            results.append(exc)

    threads = [threading.Thread(target=move, args=(bank,)) for bank in ("bank-abc", "bank-trcb")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    moved = [r for r in results if isinstance(r, dict)]
    assert len(moved) == 1 and len(results) == 2, results
    with services.db.read() as conn:
        assert totals.stored(conn) == totals.recomputed(conn) and totals.misplaced(conn) == []
        (plan,) = conn.execute(select(fund_plan_item.c.plan_instance_id).where(
            fund_plan_item.c.project_instance_id == two_plans["a"])).scalars()
    assert plan == moved[0]["target"]["plan_id"]
