"""Example reconciliations for the demo: last quarter's, one agreeing, one explained and closed, one waiting."""
from __future__ import annotations

from typing import Any

from services.context import Services
from services.inbox import tasks_for
from services.reconciliation.compare import recorded
from services.reconciliation.periods import quarter_before
from services.reconciliation.start import start_reconciliation
from services.tasks import complete_task
from services.users import load_actor, org_id_by_code

EXPLANATION = "季度末集中补换卡，新增卡片于次月初完成制卡统计。"
CONCLUSION = "已核对社保卡管理系统：差异为季度末补换卡的统计时点不同，予以关闭；下年度分配以年末数为准。"


def _do(ctx: Services, username: str, instance_id: int, name: str, data: dict[str, Any]) -> None:
    actor = load_actor(ctx, username)
    for task in [t for t in tasks_for(ctx, actor) if t["instance_id"] == instance_id and t["name"] == name]:
        complete_task(ctx, actor, task["id"], data)


def _report(ctx: Services, bank: str, extra_cards: int) -> dict[str, Any]:
    """Return a report that repeats the system's figures, with *extra_cards* more cards."""
    with ctx.db.read() as conn:
        ours = recorded(conn, org_id_by_code(conn, bank), quarter_before(ctx.today()))
    return {"reported_card_count": (ours["recorded_card_count"] or 0) + extra_cards,
            "reported_paid_total": ours["recorded_paid_total"],
            "reported_lines": [{"project_id": line["project_id"], "amount": line["amount"]}
                               for line in ours["recorded_lines"]]}


def seed_sample_reconciliations(ctx: Services) -> list[int]:
    """Reconcile last quarter: ABC agrees, ICBC explains a card count difference, TRCB has yet to report."""
    clerk, period = load_actor(ctx, "hrss_clerk"), quarter_before(ctx.today()).name
    started = {bank: start_reconciliation(ctx, clerk, bank, period)["instance_id"]
               for bank in ("bank-abc", "bank-icbc", "bank-trcb")}
    _do(ctx, "abc_user", started["bank-abc"], "bank_report", _report(ctx, "bank-abc", 0))
    _do(ctx, "icbc_user", started["bank-icbc"], "bank_report", _report(ctx, "bank-icbc", 2644))
    _do(ctx, "icbc_user", started["bank-icbc"], "bank_explain", {"bank_explanation_text": EXPLANATION})
    _do(ctx, "hrss_reviewer", started["bank-icbc"], "bureau_close", {"bureau_explanation": CONCLUSION})
    return list(started.values())
