"""Sample form data for every step of the fund project, and helpers shared by the test layers."""
from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from bpmn import DIAGRAMS_DIR

FUND_PROJECT = DIAGRAMS_DIR / "fund_project.bpmn"
PLACEHOLDER_SHA = "ab" * 32
TODAY = date(2026, 3, 2)
NOON = datetime(2026, 3, 2, 4, 0, tzinfo=timezone.utc)


def read_forms(path: Path = FUND_PROJECT) -> dict[str, bytes]:
    """Return the forms of a shipped diagram."""
    return {p.name: p.read_bytes() for p in (path.parent / "forms").glob("*.json")}


def declare(sha: str = PLACEHOLDER_SHA, **overrides: Any) -> dict[str, Any]:
    """Return a complete declaration."""
    data = {
        "declaration_round": "annual", "declaration_year": 2026,
        "project_name": "社保卡乘车码应用", "card_function": "公交乘车",
        "category": "it.software", "budget": "1200000.00",
        "budget_lines": [
            {"line_category": "it.software", "line_item": "乘车码应用开发", "line_amount": "1000000.00"},
            {"line_category": "it.hardware", "line_item": "闸机读卡模块", "line_amount": "200000.00"},
        ],
        "project_description": "在社保卡上加载公交乘车功能。",
        "feasibility_report": sha, "contact_person": "张三", "contact_phone": "0512-53512345",
    }
    return {**data, **overrides}


def review(decision: str = "approve", sha: str = PLACEHOLDER_SHA, **overrides: Any) -> dict[str, Any]:
    """Return the BDC's review with *decision* (approve, revise or reject)."""
    data: dict[str, Any] = {"review_decision": decision, "review_opinion": "评审意见。"}
    if decision == "approve":
        data.update(approved_budget="1150000.00", review_report=sha)
    return {**data, **overrides}


def plan_prepare(bank: str = "bank-icbc", **overrides: Any) -> dict[str, Any]:
    """Return the bureau's fund use plan entry for *bank*."""
    return {"bank": bank, "plan_amount": "1150000.00", "plan_remarks": "2026年第一批", **overrides}


def decision(task: str, value: str = "approve", comment: str = "意见。") -> dict[str, Any]:
    """Return a plan review or sign-off decision."""
    return {f"{task}_decision": value, f"{task}_comment": comment}


SECURE_FUNDS = {"funds_secured": True, "funds_secured_on": "2026-03-02"}
PROCUREMENT = {"procurement_no": "TCCG-2026-018", "procurement_method": "public_tender",
               "contractor": "太仓某信息技术有限公司", "contract_price": "1000000.00",
               "procurement_date": "2026-04-10"}
CONTRACT = {"contract_name": "社保卡乘车码应用建设三方合同", "contract_no": "HT-2026-018",
            "contract_date": "2026-04-20", "contract_signed": True}
CONSTRUCTION = {"construction_start": "2026-05-01", "construction_end": "2026-08-31"}


def acceptance(passed: bool = True, sha: str = PLACEHOLDER_SHA) -> dict[str, Any]:
    """Return the department's acceptance report."""
    return {"acceptance_date": "2026-09-10", "acceptance_opinion": "功能齐全，同意验收。",
            "acceptance_department_passed": passed, "acceptance_report": sha}


def sign(who: str, passed: bool = True) -> dict[str, Any]:
    """Return the acceptance signature of *who* (bdc or hrss)."""
    return {f"acceptance_{who}_passed": passed, f"acceptance_{who}_opinion": "同意。" if passed else "不同意。"}


def notice(amount: str, on: str = "2026-09-15", sha: str = PLACEHOLDER_SHA) -> dict[str, Any]:
    """Return a payment notice for *amount* issued on *on*."""
    return {"notice_amount": amount, "notice_date": on, "invoice_no": f"INV-{on}", "invoice_file": sha}


def paid(on: str = "2026-09-20", reference: str = "TX0001") -> dict[str, Any]:
    """Return the bank's confirmation of payment."""
    return {"paid_on": on, "payment_reference": reference}


OVERDUE = {"overdue_follow_up": "已电话督办合作银行。", "overdue_contacted_on": "2026-11-27"}
