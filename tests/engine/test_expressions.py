"""Expressions in diagrams are evaluated safely and refused when they reach for Python."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from engine.errors import ExpressionError
from engine.expressions import Evaluator, check_expression, parse_script

EVAL = Evaluator(lambda: date(2026, 3, 2))


@pytest.mark.parametrize("expression", [
    "__import__('os').system('true')",
    "().__class__.__base__.__subclasses__()",
    "'A' * 10**11",
    "9**9**9",
    "[x for x in range(3)]",
    "(x for x in y)",
    "lambda: 1",
    "open('/etc/passwd')",
    "getattr(a, 'b')",
    "a.b",
    "_secret",
    "money(x=1)",
    "(y := 1)",
])
def test_unsafe_expressions_are_refused(expression: str) -> None:
    with pytest.raises(ExpressionError):
        EVAL.evaluate(expression, {"a": 1, "y": [], "x": 1})


def test_huge_strings_are_refused_at_run_time() -> None:
    with pytest.raises(ExpressionError):
        EVAL.evaluate("'A' * n", {"n": 10**11})


def test_gateway_conditions_evaluate_normally() -> None:
    names = {"review_decision": "approve", "budget": "120.50"}
    assert EVAL.evaluate('review_decision == "approve" and money(budget) <= money(200)', names) is True
    assert EVAL.evaluate('review_decision == "reject"', names) is False


def test_money_arithmetic_is_exact() -> None:
    result = EVAL.evaluate("money(a) + money(b)", {"a": "0.10", "b": "0.20"})
    assert result == Decimal("0.30")


def test_money_refuses_floats() -> None:
    with pytest.raises(ExpressionError):
        EVAL.evaluate("money(x)", {"x": 0.1})


def test_host_clock_functions() -> None:
    assert EVAL.evaluate("today()", {}) == "2026-03-02"
    assert EVAL.evaluate("year()", {}) == 2026


def test_scripts_assign_names_and_store_money_as_text() -> None:
    updates = EVAL.run_script("paid_total = money(paid_total) + money(amount)\ncount = 2", {
        "paid_total": "100.00", "amount": "0.01"})
    assert updates == {"paid_total": "100.01", "count": 2}


@pytest.mark.parametrize("script", [
    "import os",
    "x == 1",
    "for i in y: pass",
    "__builtins__ = 1",
    "money = 1",
    "x = a.b",
])
def test_scripts_other_than_assignments_are_refused(script: str) -> None:
    with pytest.raises(ExpressionError):
        parse_script(script)


def test_empty_expression_is_refused() -> None:
    with pytest.raises(ExpressionError):
        check_expression("  ")
