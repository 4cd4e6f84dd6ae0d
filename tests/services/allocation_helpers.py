"""Drive an allocation run through the services as the demo users would."""
from __future__ import annotations

from typing import Any

from services.context import Services
from services.inbox import tasks_for
from services.money.allocations import start_allocation
from services.tasks import complete_task
from services.users import load_actor

BANK_USERS = {"bank-icbc": "icbc_user", "bank-abc": "abc_user", "bank-trcb": "trcb_user"}
SETUP = {"allocation_year": 2027, "allocation_pool": "1000000.00",
         "card_counts": [{"bank": "bank-icbc", "card_count": 520000}, {"bank": "bank-abc", "card_count": 310000},
                         {"bank": "bank-trcb", "card_count": 170000}]}
CONFIRM = {"card_count_decision": "confirm"}


def start(ctx: Services, **changes: Any) -> int:
    """Start a run and submit the bureau's figures; return the instance id."""
    return start_allocation(ctx, load_actor(ctx, "hrss_clerk"), {**SETUP, **changes})["instance_id"]


def task_of(ctx: Services, username: str, instance_id: int, name: str) -> str:
    """Return the id of *username*'s ready task *name* in the run."""
    ids = [t["id"] for t in tasks_for(ctx, load_actor(ctx, username))
           if t["instance_id"] == instance_id and t["name"] == name]
    assert len(ids) == 1, f"{username} has {len(ids)} {name} tasks"
    return ids[0]


def confirm(ctx: Services, instance_id: int, bank: str, data: dict[str, Any] = CONFIRM) -> dict[str, Any]:
    """Let *bank*'s user confirm (or correct) its count."""
    user = BANK_USERS[bank]
    return complete_task(ctx, load_actor(ctx, user), task_of(ctx, user, instance_id, "bank_confirm"), data)


def approve(ctx: Services, instance_id: int, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """Let the bureau head decide (approve by default)."""
    task = task_of(ctx, "hrss_head", instance_id, "allocation_approve")
    return complete_task(ctx, load_actor(ctx, "hrss_head"), task, data or {"allocation_decision": "approve"})


def run_to_fixed(ctx: Services, **changes: Any) -> int:
    """Run an allocation from the figures to its approval; return the instance id."""
    instance_id = start(ctx, **changes)
    for row in {**SETUP, **changes}["card_counts"]:
        confirm(ctx, instance_id, row["bank"])
    approve(ctx, instance_id)
    return instance_id
