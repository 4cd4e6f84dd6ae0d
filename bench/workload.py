"""What the load and crash tests' simulated users do: who completes which step, with which valid data.

The data is the demo's (services/demo_projects.py); numbers that must be unique (invoice, bank
transaction) are made unique per call. A ready task is taken only by the identity that does its
step in the demo's route, so no simulated user is refused for separation of duties.
"""
from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

from services import demo_projects as demo
from services.bootstrap import build_services, upgrade_database
from services.context import Services
from services.demo import DEMO_PASSWORD, seed_demo
from services.instances import start_instance
from services.users import load_actor

PASSWORD = DEMO_PASSWORD
PDF = demo.SAMPLE_PDF
BANKS = {"bank-icbc": "icbc_user", "bank-abc": "abc_user", "bank-trcb": "trcb_user"}
DEPARTMENTS = ("health_user", "transport_user", "culture_user")
HRSS = {"hrss_clerk": ("assign_bank", "plan_prepare", "procurement", "payment_notice", "payment_overdue"),
        "hrss_reviewer": ("plan_review", "acceptance_hrss"),
        "hrss_head": ("plan_signoff",),
        "bdc_reviewer": ("review", "acceptance_bdc")}
BANK_STEPS = ("bank_confirm", "contract", "payment_receipt", "payment")  # bank_confirm: its bank's plan
DEPARTMENT_STEPS = ("declare", "construction", "acceptance")
# (username, the steps it completes) for every identity the simulated users take, supervisor last.
IDENTITIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    *HRSS.items(), *[(user, BANK_STEPS) for user in BANKS.values()],
    *[(user, DEPARTMENT_STEPS) for user in DEPARTMENTS], ("supervisor", ()),
)
NOTICE_AMOUNT = "500000.00"  # two instalments pay the demo's contract price of 1,000,000.00


def _unique() -> str:
    return uuid.uuid4().hex[:16].upper()


def declaration(sha: str) -> dict[str, Any]:
    """Return a valid declaration (with an urgency reason, which a supplementary round requires)."""
    return demo.declare(sha, urgency_reason=demo.URGENCY_REASON, project_name=f"负载测试项目 {_unique()[:6]}")


def notice_amount(remaining: str | None) -> str:
    """Return the amount of a payment notice: half the contract price, or what remains if less."""
    if remaining is None:
        return NOTICE_AMOUNT
    return str(min(Decimal(NOTICE_AMOUNT), Decimal(remaining)))


def step_data(step: str, sha: str, bank: str = "bank-icbc", remaining: str | None = None,
              stage: str | None = None) -> dict[str, Any] | None:
    """Return valid form data for *step* (None for a step no simulated user does).

    *remaining* is what the contract has left to pay (the payment notice form's default); *stage*
    tells the allocation's `bank_confirm` (the card count) from the plan's (the funds).
    """
    if step == "bank_confirm" and (stage or "").startswith("allocation"):
        return {"card_count_decision": "confirm"}
    makers = {
        "declare": lambda: declaration(sha),
        "review": lambda: demo.review("approve", sha),
        "assign_bank": lambda: demo.assign_bank(bank),
        "plan_prepare": lambda: {"plan_prepare_note": "负载测试"},
        "plan_review": lambda: demo.decision("plan_review"),
        # A plan may exceed the bank's allocation under load: the head then gives the reason.
        "plan_signoff": lambda: {**demo.decision("plan_signoff"), "plan_override_reason": "负载测试"},
        "bank_confirm": lambda: demo.SECURE_FUNDS,
        "procurement": lambda: {**demo.PROCUREMENT, "procurement_no": f"TCCG-{_unique()}"},
        "contract": lambda: {**demo.CONTRACT, "contract_no": f"HT-{_unique()}"},
        "construction": lambda: demo.CONSTRUCTION,
        "acceptance": lambda: demo.acceptance(sha),
        "acceptance_bdc": lambda: demo.sign("bdc"),
        "acceptance_hrss": lambda: demo.sign("hrss"),
        "payment_notice": lambda: {**demo.notice(notice_amount(remaining), sha), "invoice_no": f"INV-{_unique()}"},
        "payment_receipt": lambda: demo.receipt(),
        "payment": lambda: demo.paid(reference=f"TX{_unique()}"),
        "payment_overdue": lambda: demo.OVERDUE,
    }
    maker = makers.get(step)
    return dict(maker()) if maker else None


def prepare(url: str | None, folder: Path, projects: int) -> Services:
    """Migrate and seed a fresh database with the demo and *projects* declared projects; return its services."""
    ctx = build_services(url, folder)
    upgrade_database(ctx)
    seed_demo(ctx)
    demo.seed_sample_projects(ctx)
    for number in range(projects):
        who = load_actor(ctx, DEPARTMENTS[number % len(DEPARTMENTS)])
        sha = demo.files.store_file(ctx, who, "可行性研究报告.pdf", PDF)["sha256"]
        start_instance(ctx, who, "fund_project", declaration(sha))
    return ctx
