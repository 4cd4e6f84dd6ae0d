"""Sample form data for every step of the fund project, and helpers shared by the test layers."""
from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from bpmn import DIAGRAMS_DIR
from services import demo_projects as samples
from services.demo_projects import (
    CONSTRUCTION, CONTRACT, OVERDUE, PROCUREMENT, SECURE_FUNDS, decision, paid, receipt, sign,
)

FUND_PROJECT = DIAGRAMS_DIR / "fund_project.bpmn"
FUND_PLAN = DIAGRAMS_DIR / "fund_plan.bpmn"
# The fund project before per-bank plans (version 1: the project had its own plan steps).
FUND_PROJECT_V1 = Path(__file__).resolve().parent / "fund_project_v1.bpmn"
PLACEHOLDER_SHA = "ab" * 32
# After every date of the sample data (things that happened cannot be dated after today).
TODAY = date(2026, 9, 30)
NOON = datetime(2026, 9, 30, 4, 0, tzinfo=timezone.utc)

__all__ = [
    "CONSTRUCTION", "CONTRACT", "OVERDUE", "PROCUREMENT", "SECURE_FUNDS", "decision", "paid", "receipt", "sign",
]


def read_forms(path: Path = FUND_PROJECT) -> dict[str, bytes]:
    """Return the forms of a shipped diagram."""
    return {p.name: p.read_bytes() for p in (path.parent / "forms").glob("*.json")}


def declare(sha: str = PLACEHOLDER_SHA, **overrides: Any) -> dict[str, Any]:
    """Return a complete declaration (with an urgency reason: the tests' clock is outside January)."""
    return samples.declare(sha, **{"urgency_reason": samples.URGENCY_REASON, **overrides})


def review(decision: str = "approve", sha: str = PLACEHOLDER_SHA, **overrides: Any) -> dict[str, Any]:
    """Return the BDC's review with *decision* (approve, revise or reject)."""
    return samples.review(decision, sha, **overrides)


def plan_prepare(bank: str = "bank-icbc", **overrides: Any) -> dict[str, Any]:
    """Return the bureau's fund use plan entry for *bank*."""
    return samples.plan_prepare(bank, **overrides)


def assign_bank(bank: str = "bank-icbc", **overrides: Any) -> dict[str, Any]:
    """Return the bureau's choice of bank and plan amount for an approved project."""
    return samples.assign_bank(bank, **overrides)


def outcome(bank: str, amount: str, number: int = 1, plan: int = 1) -> dict[str, Any]:
    """Return the outcome of a confirmed plan as delivered to one of its projects."""
    return {"bank": bank, "plan_amount": amount, "plan_number": number, "plan_instance_id": plan}


def funds_returned(reason: str = "计划金额超出本行本年度可用额度，请调整。") -> dict[str, Any]:
    """Return the bank's answer that sends the plan back to the bureau with *reason*."""
    return {"funds_decision": "return", "funds_return_reason": reason}


def acceptance(passed: bool = True, sha: str = PLACEHOLDER_SHA) -> dict[str, Any]:
    """Return the department's acceptance report."""
    return samples.acceptance(sha, passed)


def notice(amount: str, on: str = "2026-09-15", sha: str = PLACEHOLDER_SHA) -> dict[str, Any]:
    """Return a payment notice for *amount* issued on *on*."""
    return samples.notice(amount, sha, on)
