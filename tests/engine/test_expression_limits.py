"""Expressions too deep or too big to ever run are refused at deploy, naming the element."""
from __future__ import annotations

from datetime import date

import pytest

from engine.errors import ExpressionError
from engine.expressions import MAX_DEPTH, MAX_NODES, Evaluator, check_expression

EVAL = Evaluator(lambda: date(2026, 9, 30))


@pytest.mark.parametrize(("expression", "reason"), [
    ("-" * 1500 + "1", "nested too deeply"),
    ("1+" * 900 + "1", "nested too deeply"),
    ("not " * 450 + "x", "nested too deeply"),
    ("[" * 100 + "]" * 100, "nested too deeply"),
    ("(" * 300 + "1" + ")" * 300, "syntax error|nested too deeply"),
    ("[" + ", ".join(["1"] * 600) + "]", "too many parts"),
])
def test_an_expression_that_could_never_run_is_refused(expression: str, reason: str) -> None:
    with pytest.raises(ExpressionError, match=reason):
        check_expression(expression)
    with pytest.raises(ExpressionError):
        EVAL.evaluate(expression, {"x": True})


def test_ordinary_expressions_stay_well_inside_the_limits() -> None:
    check_expression("money(paid_total) < money(contract_price) and review_decision == \"approve\"")
    check_expression(" + ".join(f"money(a{i})" for i in range(MAX_DEPTH // 2)))
    check_expression("[" + ", ".join(["1"] * (MAX_NODES // 2)) + "]")
    assert EVAL.evaluate("-" * 20 + "1", {}) == 1
