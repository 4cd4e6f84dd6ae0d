"""Restricted expressions: a static check for deploy time and a safe evaluator for run time.

Diagrams are code written by process owners; nothing in them may reach Python itself.
Expressions are checked against a small grammar before a diagram is stored, and are
evaluated with simpleeval (no imports, attributes, lambdas or comprehensions) at run time.
"""
from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from simpleeval import EvalWithCompoundTypes, InvalidExpression

from engine.errors import ExpressionError

MAX_EXPRESSION_LENGTH = 2000
MAX_DEPTH = 40  # nesting of the syntax tree; evaluation recurses once (or more) per level
MAX_NODES = 400
MAX_SCRIPT_LINES = 50
CENT = Decimal("0.01")

_ALLOWED_NODES: tuple[type[ast.AST], ...] = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.BinOp, ast.Add, ast.Sub, ast.Mult,
    ast.Div, ast.Mod, ast.FloorDiv, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd, ast.Compare,
    ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Is,
    ast.IsNot, ast.IfExp, ast.Call, ast.Name, ast.Load, ast.Constant, ast.Subscript,
    ast.List, ast.Tuple, ast.Dict,
)


def money(value: Any) -> Decimal:
    """Return *value* as yuan with two places; floats and junk are refused."""
    if isinstance(value, Decimal):
        return value.quantize(CENT)
    if isinstance(value, (bool, float)) or value is None:
        raise ExpressionError(f"money() needs a string or integer, not {value!r}")
    try:
        return Decimal(str(value)).quantize(CENT)
    except InvalidOperation as exc:
        raise ExpressionError(f"money() got {value!r}, which is not an amount") from exc


BASE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "money": money,
    "len": len,
    "str": str,
    "int": int,
    "min": min,
    "max": max,
}
HOST_FUNCTION_NAMES = frozenset({"today", "year"})
FUNCTION_NAMES = frozenset(BASE_FUNCTIONS) | HOST_FUNCTION_NAMES


def _check_node(node: ast.AST, source: str) -> None:
    if not isinstance(node, _ALLOWED_NODES):
        raise ExpressionError(f"{type(node).__name__} is not allowed in {_shown(source)}")
    if isinstance(node, ast.Name) and node.id.startswith("_"):
        raise ExpressionError(f"the name {node.id!r} is not allowed in {_shown(source)}")
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTION_NAMES:
            raise ExpressionError(f"only the functions {sorted(FUNCTION_NAMES)} may be called")
        if node.keywords:
            raise ExpressionError(f"keyword arguments are not allowed in {_shown(source)}")
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
        if len(node.value) > MAX_EXPRESSION_LENGTH:
            raise ExpressionError("a text constant is too long")


def _shown(expression: str) -> str:
    return repr(expression if len(expression) <= 60 else expression[:57] + "...")


def _check_size(tree: ast.AST, expression: str) -> None:
    """Refuse a tree too deep or too big to evaluate (without recursing ourselves)."""
    stack, count = [(tree, 1)], 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH:
            raise ExpressionError(f"{_shown(expression)} is nested too deeply (at most {MAX_DEPTH} levels)")
        if count > MAX_NODES:
            raise ExpressionError(f"{_shown(expression)} has too many parts (at most {MAX_NODES})")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def check_expression(expression: str) -> None:
    """Raise ExpressionError unless *expression* stays inside the allowed grammar and size."""
    if not isinstance(expression, str) or not expression.strip():
        raise ExpressionError("an expression is empty")
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(f"an expression is too long (at most {MAX_EXPRESSION_LENGTH} characters)")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"syntax error in {_shown(expression)}: {exc.msg}") from exc
    except (RecursionError, MemoryError, ValueError) as exc:
        raise ExpressionError(f"{_shown(expression)} is nested too deeply") from exc
    _check_size(tree, expression)
    for node in ast.walk(tree):
        _check_node(node, expression)


@functools.lru_cache(maxsize=2048)
def _parsed(expression: str) -> ast.AST:
    check_expression(expression)
    return EvalWithCompoundTypes.parse(expression)


def parse_script(script: str) -> list[tuple[str, str]]:
    """Split a script into (name, expression) pairs; only `name = expression` lines pass."""
    assignments: list[tuple[str, str]] = []
    lines = [line for line in script.splitlines() if line.strip() and not line.strip().startswith("#")]
    if len(lines) > MAX_SCRIPT_LINES:
        raise ExpressionError(f"a script may have at most {MAX_SCRIPT_LINES} lines")
    for line in lines:
        name, sep, expression = line.partition("=")
        name = name.strip()
        if not sep or expression.startswith("=") or not name.isidentifier():
            raise ExpressionError(f"script lines must read `name = expression`, not {line.strip()!r}")
        if name.startswith("_") or name in FUNCTION_NAMES:
            raise ExpressionError(f"a script may not assign {name!r}")
        check_expression(expression)
        assignments.append((name, expression.strip()))
    return assignments


def to_data(value: Any) -> Any:
    """Turn an evaluation result into plain JSON data (Decimal to "1.00", dates to ISO)."""
    if isinstance(value, Decimal):
        return str(value.quantize(CENT))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [to_data(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_data(item) for key, item in value.items()}
    return value


class Evaluator:
    """Evaluates checked expressions against task data with only named functions."""

    def __init__(self, today: Callable[[], date]) -> None:
        self._functions = dict(BASE_FUNCTIONS)
        self._functions["today"] = lambda: today().isoformat()
        self._functions["year"] = lambda: today().year

    def evaluate(self, expression: str, names: Mapping[str, Any]) -> Any:
        """Return the value of *expression* with *names* as its variables."""
        tree = _parsed(expression)
        evaluator = EvalWithCompoundTypes(names=dict(names), functions=self._functions)
        try:
            return evaluator.eval(expression, previously_parsed=tree)
        except InvalidExpression as exc:
            raise ExpressionError(f"{_shown(expression)}: {exc}") from exc
        except (ArithmeticError, TypeError, ValueError, KeyError, IndexError, RecursionError) as exc:
            raise ExpressionError(f"{_shown(expression)} failed: {type(exc).__name__}: {exc}") from exc

    def run_script(self, script: str, data: dict[str, Any]) -> dict[str, Any]:
        """Run `name = expression` lines in order and return the names they set."""
        updates: dict[str, Any] = {}
        for name, expression in parse_script(script):
            updates[name] = to_data(self.evaluate(expression, {**data, **updates}))
        return updates


def names_in(expression: str) -> set[str]:
    """Return the variable names an expression reads (function names excluded)."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:
        return set()
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    return {node.id for node in ast.walk(tree)
            if isinstance(node, ast.Name) and id(node) not in called and node.id not in FUNCTION_NAMES}
