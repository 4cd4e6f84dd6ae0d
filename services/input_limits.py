"""Limits on the shape of input, checked before anything recursive (a schema check, a parser) sees it."""
from __future__ import annotations

from typing import Any

from services.errors import ValidationError

MAX_JSON_DEPTH = 16  # a form's data is 3 levels deep (object, line items, one line); requests add one


def too_deep(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Return True if *value* nests objects and arrays more than *limit* levels deep (no recursion)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def deep_message(what: str, limit: int = MAX_JSON_DEPTH) -> str:
    """Return the message that refuses *what* for nesting too deeply."""
    return f"{what} is nested too deeply (at most {limit} levels)."


def check_depth(value: Any, what: str = "The data", limit: int = MAX_JSON_DEPTH) -> None:
    """Raise ValidationError if *value* nests more than *limit* levels deep."""
    if too_deep(value, limit):
        raise ValidationError(deep_message(what, limit))
