"""Example projects for the demo: realistic form data for every step, and projects at several stages."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select

from models.tables import process_instance
from services import files
from services.context import Services
from services.declaration.rounds import current_round
from services.demo_allocations import seed_sample_allocations
from services.demo_reconciliations import seed_sample_reconciliations
from services.instances import show_instance, start_instance
from services.plans.records import plan_of_project
from services.tasks import complete_task
from services.users import load_actor

SAMPLE_PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"


def declare(sha: str, **overrides: Any) -> dict[str, Any]:
    """Return a complete declaration with the feasibility report *sha*."""
    data = {
        "project_name": "社保卡乘车码应用", "card_function": "transit-bus",
        "category": "it.software", "budget": "1200000.00",
        "budget_lines": [
            {"line_category": "it.software", "line_item": "乘车码应用开发", "line_amount": "1000000.00"},
            {"line_category": "it.hardware", "line_item": "闸机读卡模块", "line_amount": "200000.00"},
        ],
        "project_description": "在社保卡上加载公交乘车功能。",
        "feasibility_report": sha, "contact_person": "张三", "contact_phone": "0512-53512345",
    }
    return {**data, **overrides}


def review(decision: str, sha: str, **overrides: Any) -> dict[str, Any]:
    """Return the BDC's review with *decision* (approve, revise or reject)."""
    data: dict[str, Any] = {"review_decision": decision, "review_opinion": "评审意见。"}
    if decision == "approve":
        data.update(approved_budget="1150000.00", review_report=sha)
    return {**data, **overrides}


def plan_prepare(bank: str, **overrides: Any) -> dict[str, Any]:
    """Return the bureau's fund use plan entry for *bank*."""
    return {"bank": bank, "plan_amount": "1150000.00", "plan_remarks": "2026年第一批", **overrides}


def assign_bank(bank: str, **overrides: Any) -> dict[str, Any]:
    """Return the bureau's choice of bank and plan amount for an approved project."""
    return plan_prepare(bank, **overrides)


def decision(task: str, value: str = "approve", comment: str = "意见。") -> dict[str, Any]:
    """Return a plan review or sign-off decision."""
    return {f"{task}_decision": value, f"{task}_comment": comment}


SECURE_FUNDS = {"funds_decision": "confirm", "funds_secured_on": "2026-03-02"}
PROCUREMENT = {"procurement_no": "TCCG-2026-018", "procurement_method": "public_tender",
               "contractor": "太仓某信息技术有限公司", "contract_price": "1000000.00",
               "procurement_date": "2026-04-10"}
CONTRACT = {"contract_name": "社保卡乘车码应用建设三方合同", "contract_no": "HT-2026-018",
            "contract_date": "2026-04-20", "contract_signed": True}
CONSTRUCTION = {"construction_start": "2026-05-01", "construction_end": "2026-08-31"}
OVERDUE = {"overdue_follow_up": "已电话督办合作银行。", "overdue_contacted_on": "2026-11-27"}


def acceptance(sha: str, passed: bool = True) -> dict[str, Any]:
    """Return the department's acceptance report."""
    return {"acceptance_date": "2026-09-10", "acceptance_opinion": "功能齐全，同意验收。",
            "acceptance_department_passed": passed, "acceptance_report": sha}


def sign(who: str, passed: bool = True) -> dict[str, Any]:
    """Return the acceptance signature of *who* (bdc or hrss)."""
    return {f"acceptance_{who}_passed": passed, f"acceptance_{who}_opinion": "同意。" if passed else "不同意。"}


def notice(amount: str, sha: str, on: str = "2026-09-15") -> dict[str, Any]:
    """Return a payment notice for *amount* issued on *on*."""
    return {"notice_amount": amount, "notice_date": on, "invoice_no": f"INV-{on}", "invoice_file": sha}


def receipt(on: str = "2026-09-15") -> dict[str, Any]:
    """Return the bank's signature for the payment notice and the invoice, received on *on*."""
    return {"received_on": on}


def paid(on: str = "2026-09-20", reference: str = "TX0001") -> dict[str, Any]:
    """Return the bank's confirmation of payment."""
    return {"paid_on": on, "payment_reference": reference}


PLAN_STEPS = ("plan_prepare", "plan_review", "plan_signoff", "bank_confirm")


def plan_route(bank_user: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Yield (user, task, data) of a bank's plan from its preparation to the bank's confirmation.

    Three different people prepare (填报人), review (审核人) and sign (局负责人) the plan.
    """
    yield "hrss_clerk", "plan_prepare", {"plan_prepare_note": "按评审报告填报。"}
    yield "hrss_reviewer", "plan_review", decision("plan_review")
    yield "hrss_head", "plan_signoff", decision("plan_signoff")
    yield bank_user, "bank_confirm", SECURE_FUNDS


def task_instance(ctx: Services, instance_id: int, task: str) -> int | None:
    """Return the instance where the project's step *task* is done: its plan's for a plan step.

    None when the project's plan has already passed that step (another project took it through).
    """
    if task not in PLAN_STEPS:
        return instance_id
    with ctx.db.read() as conn:
        plan = plan_of_project(conn, instance_id)
    if plan is None:
        raise ValueError(f"project {instance_id} is in no plan")
    open_names = [t["name"] for t in show_instance(ctx, None, plan)["open_tasks"]]
    return plan if task in open_names else None


def route(sha: str, department: str, bank: str, bank_user: str,
          number: int = 1) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Yield (user, task, data) from the declaration to the first payment, as the demo users act.

    *number* tells projects apart where a number may be used only once (invoice, bank transaction).
    """
    yield department, "declare", declare(sha)
    yield "bdc_reviewer", "review", review("approve", sha)
    yield "hrss_clerk", "assign_bank", assign_bank(bank)
    yield from plan_route(bank_user)
    yield "hrss_clerk", "procurement", PROCUREMENT
    yield bank_user, "contract", CONTRACT
    yield department, "construction", CONSTRUCTION
    yield department, "acceptance", acceptance(sha)
    yield "bdc_reviewer", "acceptance_bdc", sign("bdc")
    yield "hrss_reviewer", "acceptance_hrss", sign("hrss")
    yield "hrss_clerk", "payment_notice", {**notice("600000.00", sha), "invoice_no": f"INV-2026-{number:04d}"}
    yield bank_user, "payment_receipt", receipt()
    yield bank_user, "payment", paid(reference=f"TX2026{number:04d}")


# (department user, declaration changes, bank, bank user, how many steps of the route to take).
# Project #4 waits for the bank's payment of a notice received 2026-09-15 (due 2026-11-02): overdue
# when the demo runs later; #5 paid its first instalment and waits for the next notice.
# Plans: ABC's 第1号 waits for the bureau head (#2); TRCB's 第1号, ICBC's 第1号 and ABC's 第2号 are
# confirmed (#3, #4, #5). PLAN_SAMPLES add TRCB's 第2号, being prepared, and ICBC's 第2号, waiting for the bank.
SAMPLES = [
    ("health_user", {"project_name": "社保卡就医一码通", "card_function": "health-settlement"},
     "bank-icbc", "icbc_user", 1),
    ("transport_user", {"project_name": "社保卡公交线路补贴发放", "card_function": "transit-bus",
                        "urgency_reason": "年中新开线路，需尽快上线。"}, "bank-abc", "abc_user", 5),
    ("culture_user", {"project_name": "社保卡文旅惠民一卡通", "category": "promotion", "card_function": "culture-venue"},
     "bank-trcb", "trcb_user", 8),
    ("health_user", {"project_name": "社保卡乘车码应用", "card_function": "transit-bus"}, "bank-icbc", "icbc_user", 15),
    ("transport_user", {"project_name": "社保卡公共自行车租借", "card_function": "transit-bike"},
     "bank-abc", "abc_user", 16),
]
PLAN_SAMPLES = [
    ("culture_user", {"project_name": "社保卡图书馆借阅", "category": "promotion", "card_function": "culture-venue"},
     "bank-trcb", "trcb_user", 3),
    ("health_user", {"project_name": "社保卡药店购药结算", "card_function": "health-settlement"},
     "bank-icbc", "icbc_user", 6),
]
URGENCY_REASON = "配合年中上线计划，需追加申报。"


def _run(ctx: Services, number: int, sample: tuple[str, dict[str, Any], str, str, int]) -> int:
    department, changes, bank, bank_user, steps = sample
    sha = files.store_file(ctx, load_actor(ctx, department), "可行性研究报告.pdf", SAMPLE_PDF)["sha256"]
    instance_id = start_instance(ctx, load_actor(ctx, department), "fund_project")["instance_id"]
    for index, (user, task, data) in enumerate(route(sha, department, bank, bank_user, number)):
        if index >= steps:
            break
        if task == "declare":
            data = {**data, **changes}
            if current_round(ctx).needs_reason:
                data.setdefault("urgency_reason", URGENCY_REASON)
        where = task_instance(ctx, instance_id, task)
        if where is None:
            continue
        (task_id,) = [t["id"] for t in show_instance(ctx, None, where)["open_tasks"] if t["name"] == task]
        complete_task(ctx, load_actor(ctx, user), task_id, data)
    return instance_id


def seed_sample_projects(ctx: Services) -> list[int]:
    """Create the sample projects at different stages, allocations and reconciliations, unless there are instances."""
    with ctx.db.read() as conn:
        if conn.execute(select(func.count()).select_from(process_instance)).scalar_one():
            return []
    projects = [_run(ctx, number, sample) for number, sample in enumerate(SAMPLES, start=1)]
    return projects + seed_sample_allocations(ctx) + seed_sample_reconciliations(ctx)


def seed_sample_plans(ctx: Services) -> list[int]:
    """Create two more projects whose banks' plans wait at other steps (after `seed_sample_projects`)."""
    first = len(SAMPLES) + 1
    return [_run(ctx, number, sample) for number, sample in enumerate(PLAN_SAMPLES, start=first)]
