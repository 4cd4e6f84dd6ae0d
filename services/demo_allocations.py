"""Example allocations for the demo: this year's fixed, next year's waiting for the banks."""
from __future__ import annotations

from typing import Any

from services.context import Services
from services.inbox import tasks_for
from services.money.allocations import start_allocation
from services.tasks import complete_task
from services.users import load_actor

BANK_USERS = {"bank-icbc": "icbc_user", "bank-abc": "abc_user", "bank-trcb": "trcb_user"}
CARD_COUNTS = {"bank-icbc": 412356, "bank-abc": 298771, "bank-trcb": 536904}
CORRECTION = {"card_count_decision": "correct", "corrected_count": 301205,
              "correction_note": "按社保卡管理系统年末在用卡口径重新统计，含补换卡。"}


def _figures(year: int, pool: str) -> dict[str, Any]:
    return {"allocation_year": year, "allocation_pool": pool,
            "card_counts": [{"bank": bank, "card_count": count} for bank, count in CARD_COUNTS.items()],
            "allocation_note": "持卡数量取自社保卡管理系统上年12月31日统计。"}


def _confirm(ctx: Services, instance_id: int, bank: str, data: dict[str, Any]) -> None:
    actor = load_actor(ctx, BANK_USERS[bank])
    (task,) = [t["id"] for t in tasks_for(ctx, actor) if t["instance_id"] == instance_id]
    complete_task(ctx, actor, task, data)


def seed_sample_allocations(ctx: Services) -> list[int]:
    """Fix this year's allocation (one bank corrects its count) and leave next year's with the banks."""
    year, clerk = ctx.clock.today().year, load_actor(ctx, "hrss_clerk")
    fixed = start_allocation(ctx, clerk, _figures(year, "30000000.00"))["instance_id"]
    for bank in CARD_COUNTS:
        _confirm(ctx, fixed, bank, CORRECTION if bank == "bank-abc" else {"card_count_decision": "confirm"})
    head = load_actor(ctx, "hrss_head")
    (task,) = [t["id"] for t in tasks_for(ctx, head) if t["instance_id"] == fixed]
    complete_task(ctx, head, task, {"allocation_decision": "approve", "allocation_comment": "同意。"})
    pending = start_allocation(ctx, clerk, _figures(year + 1, "32000000.00"))["instance_id"]
    _confirm(ctx, pending, "bank-icbc", {"card_count_decision": "confirm"})
    return [fixed, pending]
