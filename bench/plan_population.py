"""Bulk-insert the per-bank fund use plans of the generated projects, as the real system stores them.

A project joins its bank's draft plan of its year when the bureau completes `assign_bank`
(`services.plans.joining`); each plan is its own `fund_plan` process instance with a `fund_plan`
row (bank, year, number 第N号, status) and one `fund_plan_item` per project (the planned amount,
the time the project joined). Shape generated here:

- every project past `assign_bank` is listed once, in the plan of its bank and year for the quarter
  it was declared in: a handful of plans per bank and year (at most four), numbered 1, 2, … in
  quarter order, all confirmed (their projects have moved on to procurement or ended) after the
  four plan steps (prepare, review, sign-off, the bank's confirmation);
- a few projects per bank wait for their plan (`WAITING`): they are the newest projects, generated
  with a generator of their own so that they are the same at every size, and listed in one plan
  per bank still under way (`IN_FLIGHT`: a draft, one in review, one with the bank), numbered after
  that bank's confirmed plans of the year, with its open task.
"""
from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from models.tables import fund_plan, fund_plan_item, human_task, organization, process_instance
from services.plans.process import title
from services.process_models import latest

PLAN_STEPS = ("plan_prepare", "plan_review", "plan_signoff", "bank_confirm")
# The plan still under way per bank: its status and the steps done before its open one.
IN_FLIGHT = {"bank-icbc": ("draft", 0), "bank-abc": ("review", 1), "bank-trcb": ("bank", 3)}
WAITING = {"bank-icbc": 6, "bank-abc": 5, "bank-trcb": 4}  # projects waiting in each bank's open plan
PLAN_AMOUNT = "1150000.00"
STEP_USERS = {"hrss": "hrss_clerk", "hrss_head": "hrss_head"}


@dataclass(frozen=True)
class Member:
    """A project listed in a plan: its bank and year, when it was declared and when it joined."""

    project_id: int
    bank_org_id: int
    year: int
    declared: datetime
    joined: datetime


class PlanWorld:
    """The plan diagram, a genuine new plan's state, and the banks."""

    def __init__(self, conn: Connection, state: bytes) -> None:
        self.model_id, self.model = latest(conn, "fund_plan")
        self.state = state
        self.banks = {r.id: r for r in conn.execute(select(organization.c.id, organization.c.code, organization.c.name)
                                                    .where(organization.c.kind == "bank"))}


def members_of(instances: Iterable[dict[str, Any]], tasks: Iterable[dict[str, Any]]) -> list[Member]:
    """Return the projects among *instances* that completed `assign_bank` (so joined a plan)."""
    joined = {t["instance_id"]: t["completed_at"] for t in tasks
              if t["task_name"] == "assign_bank" and t["status"] == "completed"}
    return [Member(i["id"], i["bank_org_id"], i["created_at"].year, i["created_at"], joined[i["id"]])
            for i in instances if i["id"] in joined]


def _groups(confirmed: list[Member], waiting: list[Member], codes: dict[int, str]) -> list[tuple[str, list[Member]]]:
    """Return (status, members) per plan: each bank's quarters of each year, then its plan under way."""
    plans: dict[tuple[int, int], dict[Any, list[Member]]] = defaultdict(dict)
    for m in confirmed:
        plans[(m.bank_org_id, m.year)].setdefault((m.declared.month - 1) // 3, []).append(m)
    for m in waiting:
        plans[(m.bank_org_id, m.year)].setdefault("open", []).append(m)
    found = []
    for key in sorted(plans):
        quarters = plans[key]
        found += [("confirmed", quarters[q]) for q in sorted(k for k in quarters if k != "open")]
        if "open" in quarters:
            found.append((IN_FLIGHT[codes[key[0]]][0], quarters["open"]))
    return found


def plan_rows(world: PlanWorld, users: dict[str, int], confirmed: list[Member], waiting: list[Member],
              first_id: int, rng: random.Random) -> dict[str, list[dict[str, Any]]]:
    """Return the rows of every plan (instances, tasks, plans, items), plan instance ids from *first_id*."""
    codes = {i: b.code for i, b in world.banks.items()}
    # In the order the plans were opened, which is their number order within a bank's year: a quarter's
    # plan opens when its first project joins, and the waiting projects joined last.
    groups = sorted(_groups(confirmed, waiting, codes), key=lambda g: min(m.joined for m in g[1]))
    numbers: dict[tuple[int, int], int] = defaultdict(int)
    rows: dict[str, list[dict[str, Any]]] = {"instances": [], "tasks": [], "plans": [], "items": []}
    for plan_id, (status, members) in enumerate(groups, start=first_id):
        bank_id, year = members[0].bank_org_id, members[0].year
        numbers[(bank_id, year)] += 1
        _plan(world, users, rows, plan_id, status, members, numbers[(bank_id, year)], rng)
    return rows


def _plan(world: PlanWorld, users: dict[str, int], rows: dict[str, list[dict[str, Any]]], plan_id: int,
          status: str, members: list[Member], number: int, rng: random.Random) -> None:
    bank = world.banks[members[0].bank_org_id]
    year, created = members[0].year, min(m.joined for m in members)
    done = len(PLAN_STEPS) if status == "confirmed" else IN_FLIGHT[bank.code][1]
    tasks, at = [], max(m.joined for m in members)
    for index, step in enumerate(PLAN_STEPS[:done + 1]):  # a confirmed plan: all four, none open
        at += timedelta(days=1, minutes=rng.randrange(600))
        tasks.append(_task(world, users, plan_id, bank, step, at, ready=index == done, rng=rng))
    ended = status == "confirmed"
    last = tasks[-1]
    finished = last["completed_at"] if ended else None
    rows["instances"].append({
        "id": plan_id, "model_id": world.model_id, "process_id": "fund_plan",
        "title": title({"bank": bank.code, "bank_name": bank.name, "plan_year": year, "plan_number": number}),
        "status": "completed" if ended else "running",
        "stage": "completed" if ended else world.model.user_tasks[last["task_name"]].stage,
        "department_org_id": None, "bank_org_id": bank.id, "started_by": users["hrss_clerk"], "created_at": created,
        "updated_at": finished or last["created_at"], "completed_at": finished, "next_timer_due": None,
        "version": len(tasks) + 1, "state": world.state})
    rows["tasks"] += tasks
    by = {t["task_name"]: t for t in tasks if t["status"] == "completed"}
    rows["plans"].append({
        "instance_id": plan_id, "bank_org_id": bank.id, "year": year, "round_id": None, "number": number,
        "status": status, "override_reason": None,
        "prepared_by": by["plan_prepare"]["completed_by"] if "plan_prepare" in by else None,
        "reviewed_by": by["plan_review"]["completed_by"] if "plan_review" in by else None,
        "signed_by": by["plan_signoff"]["completed_by"] if "plan_signoff" in by else None,
        "signed_at": by["plan_signoff"]["completed_at"] if "plan_signoff" in by else None,
        "confirmed_at": finished, "created_at": created})
    rows["items"] += [{"project_instance_id": m.project_id, "plan_instance_id": plan_id, "amount": PLAN_AMOUNT,
                       "remark": "", "added_at": m.joined} for m in members]


def _task(world: PlanWorld, users: dict[str, int], plan_id: int, bank: Any, step: str, at: datetime, ready: bool,
          rng: random.Random) -> dict[str, Any]:
    info = world.model.user_tasks[step]
    user = users[STEP_USERS[info.lane]] if info.lane in STEP_USERS else users[f"{bank.code[5:]}_user"]
    return {"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "instance_id": plan_id, "task_name": step, "title": info.title, "lane": info.lane,
            "org_id": bank.id if info.lane == "bank" else None, "stage": info.stage,
            "status": "ready" if ready else "completed", "form_patch": "{}", "created_at": at, "due_at": None,
            "completed_at": None if ready else at + timedelta(hours=rng.randrange(1, 48)),
            "completed_by": None if ready else user}


def insert_plans(conn: Connection, rows: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    """Insert the plans' rows in *conn*'s transaction; return how many plans and items."""
    conn.execute(process_instance.insert(), rows["instances"])
    conn.execute(human_task.insert(), rows["tasks"])
    conn.execute(fund_plan.insert(), rows["plans"])
    conn.execute(fund_plan_item.insert(), rows["items"])
    return {"fund_plan": len(rows["plans"]), "fund_plan_item": len(rows["items"])}
