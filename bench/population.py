"""Bulk-insert a live-shaped history of fund projects, without going through the use cases.

Shape: instances in id order, oldest first. All but the newest `running` instances have ended
(most paid in full after 14 tasks, some rejected at review), so nearly every human_task row is
`completed`; each running instance has done part of the route and has one `ready` task, so the
ready rows sit at the highest instance ids and at the physical end of the tables, as in a system
that has been in use for years. The number of running instances does not grow with history:
a user's inbox is as long at 100,000 instances as at 1,000, and only the history around it grows.
"""
from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, insert, select

from engine import runtime
from models.tables import (
    allocation, allocation_share, app_user, human_task, organization, process_instance, project,
)
from services.maintenance import analyze_sqlite
from services.oversight import totals
from services.process_models import latest

from bench.engine_paths import script_engine
from bench.plan_population import WAITING, Member, PlanWorld, insert_plans, members_of, plan_rows

# The project's own steps; its plan (assign_bank → the bank's fund_plan instance) is in bench/plan_population.py.
ROUTE = ("declare", "review", "assign_bank", "procurement",
         "contract", "construction", "acceptance", "acceptance_bdc", "acceptance_hrss", "payment_notice",
         "payment_receipt", "payment")
DEPARTMENTS = {"dept-health": "health_user", "dept-transport": "transport_user", "dept-culture": "culture_user"}
BANKS = {"bank-icbc": "icbc_user", "bank-abc": "abc_user", "bank-trcb": "trcb_user"}
LANE_USERS = {"bdc": "bdc_reviewer", "hrss": "hrss_clerk", "hrss_head": "hrss_head"}
REJECTED_SHARE = 0.1
CHUNK = 5_000
EPOCH = datetime(2021, 1, 4, 1, 30)


class World:
    """The ids and model facts the generated rows refer to."""

    def __init__(self, engine: Engine) -> None:
        with engine.connect() as conn:
            self.model_id, self.model = latest(conn, "fund_project")
            self.orgs = dict(conn.execute(select(organization.c.code, organization.c.id)).all())
            self.users = dict(conn.execute(select(app_user.c.username, app_user.c.id)).all())
            plan_state = runtime.dump(runtime.start(latest(conn, "fund_plan")[1], script_engine()))
            self.plans = PlanWorld(conn, plan_state)  # the plan diagram and a genuine new plan's state
        workflow = runtime.start(self.model, script_engine())
        self.state = runtime.dump(workflow)  # a genuine state of a new project (a few kB)
        self.patch = orjson.dumps({"/properties/project_name/default": "社保卡应用场景建设项目",
                                   "/properties/budget/default": "1200000.00",
                                   "/properties/contact_person/default": "张三"}).decode()

    def completer(self, lane: str, dept: str, bank: str | None) -> int:
        """Return the id of the user who completes a task of *lane* for these organisations."""
        if lane == "department":
            return self.users[DEPARTMENTS[dept]]
        if lane == "bank":
            return self.users[BANKS[bank or "bank-icbc"]]
        return self.users[LANE_USERS[lane]]


def _task_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _instance(world: World, rng: random.Random, instance_id: int, running: bool) -> dict[str, Any]:
    """Return an instance plan: its route so far, organisations, times and status."""
    created = EPOCH + timedelta(minutes=30 * instance_id)
    dept, bank = rng.choice(list(DEPARTMENTS)), rng.choice(list(BANKS))
    if running:
        done = rng.randrange(len(ROUTE))
        status, ready = "running", ROUTE[done]
        route = ROUTE[:done]
    elif rng.random() < REJECTED_SHARE:
        status, ready, route = "rejected", None, ROUTE[:2]
    else:
        status, ready, route = "completed", None, ROUTE
    has_bank = "assign_bank" in route
    return {"id": instance_id, "created": created, "dept": dept, "bank": bank if has_bank else None,
            "status": status, "ready": ready, "route": route}


def _task(world: World, rng: random.Random, plan: dict[str, Any], name: str, day: int,
          ready: bool) -> dict[str, Any]:
    info = world.model.user_tasks[name]
    org_code = plan["dept"] if info.lane == "department" else plan["bank"] if info.lane == "bank" else None
    created = plan["created"] + timedelta(days=day, minutes=rng.randrange(600))
    due = created + timedelta(days=14) if name == "payment" else None
    return {
        "id": _task_id(rng), "instance_id": plan["id"], "task_name": name, "title": info.title,
        "lane": info.lane, "org_id": world.orgs[org_code] if org_code else None, "stage": info.stage,
        "status": "ready" if ready else "completed", "form_patch": world.patch, "created_at": created,
        "due_at": due, "completed_at": None if ready else created + timedelta(hours=rng.randrange(1, 72)),
        "completed_by": None if ready else world.completer(info.lane, plan["dept"], plan["bank"]),
    }


def _rows(world: World, rng: random.Random, plan: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any],
                                                                           list[dict[str, Any]]]:
    tasks = [_task(world, rng, plan, name, day, False) for day, name in enumerate(plan["route"])]
    if plan["ready"]:
        tasks.append(_task(world, rng, plan, plan["ready"], len(plan["route"]), True))
    ended = plan["status"] != "running"
    last = tasks[-1]
    # A running project without a ready task waits for its plan after assign_bank (stage plan).
    stage = plan["status"] if ended else world.model.user_tasks[plan["ready"] or "assign_bank"].stage
    instance = {
        "id": plan["id"], "model_id": world.model_id, "process_id": "fund_project",
        "title": f"社保卡应用场景建设项目 {plan['id']:06d}", "status": plan["status"], "stage": stage,
        "department_org_id": world.orgs[plan["dept"]], "bank_org_id": world.orgs.get(plan["bank"]),
        "started_by": world.users[DEPARTMENTS[plan["dept"]]], "created_at": plan["created"],
        "updated_at": last["completed_at"] or last["created_at"], "completed_at": last["completed_at"] if ended
        else None, "next_timer_due": last["due_at"] if not ended else None, "version": len(tasks) + 1,
        "state": world.state,
    }
    route = plan["route"]
    facts = {
        "instance_id": plan["id"], "year": plan["created"].year, "round": "annual",
        "name": instance["title"], "category": "it.software", "budget": "1200000.00",
        "approved_budget": "1150000.00" if "assign_bank" in route or plan["ready"] == "assign_bank" else None,
        "plan_amount": "1150000.00" if "assign_bank" in route else None,
        "contractor": "太仓某信息技术有限公司" if "contract" in route else None,
        "procurement_no": f"TCCG-{plan['id']:06d}" if "contract" in route else None,
        "contract_no": f"HT-{plan['id']:06d}" if "contract" in route else None,
        "contract_name": "三方合同" if "contract" in route else None,
        "contract_price": "1000000.00" if "contract" in route else None,
        "paid_total": "1000000.00" if plan["status"] == "completed" else "0.00",
        **{place: instance[place] for place in ("bank_org_id", "department_org_id", "stage", "status")},
    }
    return instance, facts, tasks


def _chunks(world: World, count: int, running: int, seed: int) -> Iterator[tuple[list[Any], list[Any], list[Any]]]:
    # The open instances draw from their own generator, so every size gets the same inbox.
    history, open_ = random.Random(seed), random.Random(seed + 1)
    first_running = count - min(running, count // 2) + 1
    for start in range(1, count + 1, CHUNK):
        instances, facts, tasks = [], [], []
        for instance_id in range(start, min(start + CHUNK, count + 1)):
            rng = open_ if instance_id >= first_running else history
            plan = _instance(world, rng, instance_id, instance_id >= first_running)
            row, fact, task_rows = _rows(world, rng, plan)
            instances.append(row)
            facts.append(fact)
            tasks.extend(task_rows)
        yield instances, facts, tasks


def _tidy(engine: Engine) -> None:
    """Build the dashboard's running totals; leave the statistics as a live system would have them.

    PostgreSQL: as autovacuum would (VACUUM ANALYZE). SQLite: as the server's hourly
    `services.maintenance.refresh_statistics` would (ANALYZE of the dashboard's tables).
    """
    with engine.begin() as conn:
        totals.rebuild(conn)
    if engine.dialect.name != "postgresql":
        with engine.begin() as conn:
            analyze_sqlite(conn)
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("process_instance", "human_task", "project", "oversight_total", "fund_plan", "fund_plan_item"):
            conn.exec_driver_sql(f"VACUUM ANALYZE {table}")


def populate(url: str, count: int, running: int, seed: int = 20260302) -> dict[str, int]:
    """Insert *count* fund project instances, *running* of them still open, the few projects waiting
    for their plan and the banks' fund use plans (bench/plan_population.py); return the row counts."""
    # A plain engine: foreign keys go unchecked while loading (the rows are consistent by
    # construction); pysqlite leaves them off, PostgreSQL skips its RI triggers as a replica.
    engine = create_engine(url)
    try:
        world = World(engine)
        totals, members = _load(engine, world, count, running, seed)
        totals.update(_plans(engine, world, members, count, seed))
        totals["allocation"] = _allocations(engine, world)
        _tidy(engine)
    finally:
        engine.dispose()
    return totals


def _load(engine: Engine, world: World, count: int, running: int, seed: int) -> tuple[dict[str, int], list[Member]]:
    """Insert the projects; return the row counts and the projects that joined a plan."""
    totals = {"process_instance": 0, "human_task": 0, "ready_tasks": 0, "project": 0}
    members: list[Member] = []
    for instances, facts, tasks in _chunks(world, count, running, seed):
        _insert(engine, instances, facts, tasks)
        members += members_of(instances, tasks)
        totals["process_instance"] += len(instances)
        totals["project"] += len(facts)
        totals["human_task"] += len(tasks)
        totals["ready_tasks"] += sum(1 for t in tasks if t["status"] == "ready")
    return totals, members


def _insert(engine: Engine, instances: list[Any], facts: list[Any], tasks: list[Any]) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        conn.execute(insert(process_instance), instances)
        conn.execute(insert(project), facts)
        conn.execute(insert(human_task), tasks)


def _waiting(world: World, count: int, seed: int) -> tuple[list[Any], list[Any], list[Any]]:
    """Return the rows of the newest projects, which wait for their plan (the same at every size)."""
    rng, rows = random.Random(seed + 2), ([], [], [])
    plans = [(bank, rng.choice(list(DEPARTMENTS))) for bank, n in WAITING.items() for _ in range(n)]
    for offset, (bank, dept) in enumerate(plans, start=1):
        plan = {"id": count + offset, "created": EPOCH + timedelta(minutes=30 * (count + offset)), "dept": dept,
                "bank": bank, "status": "running", "ready": None, "route": ROUTE[:ROUTE.index("assign_bank") + 1]}
        for kept, row in zip(rows, _rows(world, rng, plan)):
            kept.extend(row if isinstance(row, list) else [row])
    return rows


def _plans(engine: Engine, world: World, members: list[Member], count: int, seed: int) -> dict[str, int]:
    """Insert the projects waiting for their plan and every bank's plans; return the row counts."""
    instances, facts, tasks = _waiting(world, count, seed)
    _insert(engine, instances, facts, tasks)
    waiting = members_of(instances, tasks)
    rows = plan_rows(world.plans, world.users, members, waiting, count + len(instances) + 1, random.Random(seed + 3))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        found = insert_plans(conn, rows)
    return {**found, "waiting_projects": len(instances), "plan_tasks": len(rows["tasks"])}


ALLOCATION_POOL = "30000000.00"
CARD_COUNTS = {"bank-icbc": 412356, "bank-abc": 301205, "bank-trcb": 536904}


def _allocations(engine: Engine, world: World) -> int:
    """Fix an allocation for every year of the history (the ledger's allocated column); return how many."""
    total = sum(CARD_COUNTS.values())
    pool = Decimal(ALLOCATION_POOL)
    with engine.begin() as conn:
        years = sorted(conn.execute(select(project.c.year).distinct().where(project.c.year.is_not(None))).scalars())
        for year in years:
            allocation_id = conn.execute(insert(allocation).values(
                year=year, pool=pool, approved_by=world.users["hrss_head"], approved_at=datetime(year, 1, 20),
                instance_id=1)).inserted_primary_key[0]
            shares = {bank: (pool * count / total).quantize(Decimal("0.01"), ROUND_DOWN)
                      for bank, count in CARD_COUNTS.items()}
            shares["bank-icbc"] += pool - sum(shares.values())  # the pool exactly; the method is not measured here
            conn.execute(insert(allocation_share), [
                {"allocation_id": allocation_id, "bank_org_id": world.orgs[bank], "card_count": CARD_COUNTS[bank],
                 "share": share} for bank, share in shares.items()])
    return len(years)
