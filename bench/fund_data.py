"""Form data for the first steps of the fund project, as its users would submit it."""
from __future__ import annotations

from typing import Any

FUND_PROJECT = "fund_project"


def declaration(sha: str) -> dict[str, Any]:
    """Return a department's complete declaration with the feasibility report *sha*."""
    return {
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


def first_steps(sha: str) -> list[tuple[str, dict[str, Any]]]:
    """Return (task name, data) of the route declare → … → secure_funds, in order."""
    return [
        ("declare", declaration(sha)),
        ("review", {"review_decision": "approve", "review_opinion": "评审意见。",
                    "approved_budget": "1150000.00", "review_report": sha}),
        ("plan_prepare", {"bank": "bank-icbc", "plan_amount": "1150000.00", "plan_remarks": "2026年第一批"}),
        ("plan_review", {"plan_review_decision": "approve", "plan_review_comment": "同意。"}),
        ("plan_signoff", {"plan_signoff_decision": "approve", "plan_signoff_comment": "同意。"}),
        ("secure_funds", {"funds_secured": True, "funds_secured_on": "2026-03-02"}),
    ]
