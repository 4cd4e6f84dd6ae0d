"""The benchmark's generated history lists its projects in fund use plans the way the system stores them."""
from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

from sqlalchemy import select

from bench.plan_lists import PLAN_YEAR, plan_calls, plan_shape
from bench.population import populate
from models.tables import fund_plan, fund_plan_item, human_task, organization, process_instance, project
from services.context import Services
from services.plans.overview import plans_overview
from services.users import load_actor

SIZE, RUNNING = 240, 40
OPEN_STEP = {"draft": "plan_prepare", "review": "plan_review", "bank": "bank_confirm"}


def _listed(services: Services) -> dict[int, tuple[int, int, int, str]]:
    """Return {project: (plan, bank, year, plan status)} for every listed project."""
    with services.db.read() as conn:
        rows = conn.execute(select(fund_plan_item.c.project_instance_id, fund_plan.c.instance_id,
                                   fund_plan.c.bank_org_id, fund_plan.c.year, fund_plan.c.status)
                            .join(fund_plan, fund_plan.c.instance_id == fund_plan_item.c.plan_instance_id))
        return {r[0]: tuple(r[1:]) for r in rows}


def test_every_project_past_assign_bank_is_in_one_plan_of_its_bank_and_year(services: Services) -> None:
    counts = populate(services.db.url, SIZE, RUNNING)
    listed = _listed(services)
    with services.db.read() as conn:
        joined = set(conn.execute(select(human_task.c.instance_id).where(
            human_task.c.task_name == "assign_bank", human_task.c.status == "completed")).scalars())
        places = {r.instance_id: (r.bank_org_id, r.year) for r in conn.execute(
            select(project.c.instance_id, project.c.bank_org_id, project.c.year))}
        numbers = defaultdict(list)
        for r in conn.execute(select(fund_plan.c.bank_org_id, fund_plan.c.year, fund_plan.c.number)):
            numbers[(r.bank_org_id, r.year)].append(r.number)
    assert joined and set(listed) == joined
    assert all(places[p] == (bank, year) for p, (_plan, bank, year, _status) in listed.items())
    assert counts["fund_plan_item"] == len(listed)
    assert all(sorted(found) == list(range(1, len(found) + 1)) for found in numbers.values())
    assert all(len(found) <= 5 for found in numbers.values())  # four quarters and the plan under way


def test_plans_under_way_have_their_open_step_and_waiting_projects(services: Services) -> None:
    populate(services.db.url, SIZE, RUNNING)
    with services.db.read() as conn:
        plans = conn.execute(select(fund_plan.c.instance_id, fund_plan.c.status, organization.c.code,
                                    process_instance.c.status.label("instance_status"))
                             .join(organization, organization.c.id == fund_plan.c.bank_org_id)
                             .join(process_instance, process_instance.c.id == fund_plan.c.instance_id)).all()
        ready = {r.instance_id: r.task_name for r in conn.execute(
            select(human_task.c.instance_id, human_task.c.task_name).where(human_task.c.status == "ready"))}
        waiting = conn.execute(select(process_instance.c.id, process_instance.c.status, process_instance.c.stage).join(
            fund_plan_item, fund_plan_item.c.project_instance_id == process_instance.c.id).join(
            fund_plan, fund_plan.c.instance_id == fund_plan_item.c.plan_instance_id).where(
            fund_plan.c.status != "confirmed")).all()
    open_ = {p.code: p.status for p in plans if p.status != "confirmed"}
    assert open_ == {"bank-icbc": "draft", "bank-abc": "review", "bank-trcb": "bank"}
    assert all(ready.get(p.instance_id) == OPEN_STEP[p.status] for p in plans if p.status != "confirmed")
    assert all(p.instance_status == "completed" and p.instance_id not in ready
               for p in plans if p.status == "confirmed")
    assert waiting and {(w.status, w.stage) for w in waiting} == {("running", "plan")}
    assert not set(ready) & {w.id for w in waiting}  # they wait for the plan's outcome, no task of their own


def test_plans_page_shows_every_listed_project_with_its_total(services: Services) -> None:
    populate(services.db.url, SIZE, RUNNING)
    listed = _listed(services)
    page = plans_overview(services, load_actor(services, "supervisor"), PLAN_YEAR)
    shown = {item["project_id"]: plan for bank in page["banks"] for plan in bank["plans"] for item in plan["items"]}
    assert shown and set(shown) == {p for p, (_plan, _bank, year, _status) in listed.items() if year == PLAN_YEAR}
    for plan in {id(p): p for p in shown.values()}.values():
        assert Decimal(plan["total"]["yuan"]) == sum(Decimal(i["amount"]["yuan"]) for i in plan["items"])
    assert Counter(bank["bank"] for bank in page["banks"]) == Counter({"bank-abc": 1, "bank-icbc": 1, "bank-trcb": 1})
    own = plans_overview(services, load_actor(services, "icbc_user"), PLAN_YEAR)
    assert [bank["bank"] for bank in own["banks"]] == ["bank-icbc"]


def test_benchmark_calls_answer_the_plans_of_the_year(services: Services) -> None:
    populate(services.db.url, SIZE, RUNNING)
    shapes = {case: plan_shape(call()) for case, call in plan_calls(services).items()}
    assert shapes["plans"]["plan_rows"] == shapes["plans_bureau"]["plan_rows"] > shapes["plans_bank"]["plan_rows"] > 0
    assert shapes["plans"]["total"] == 6 and shapes["plans_bank"]["total"] == 2
