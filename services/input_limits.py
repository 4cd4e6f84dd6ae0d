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


NUL_MESSAGE = "Text must not contain the NUL character (U+0000)."


def nul_path(value: Any, prefix: str = "") -> str | None:
    """Return the dotted path of the first string (or key) in *value* holding a NUL character, if any.

    PostgreSQL cannot store NUL in text or JSON, so such input is refused on its field before anything is written.
    """
    stack: list[tuple[Any, str]] = [(value, prefix)]
    while stack:
        node, path = stack.pop()
        if isinstance(node, str):
            if "\x00" in node:
                return path
        elif isinstance(node, dict):
            for key, child in node.items():
                child_path = f"{path}.{key}" if path else str(key)
                if "\x00" in str(key):
                    return child_path
                stack.append((child, child_path))
        elif isinstance(node, list):
            stack.extend((child, f"{path}.{index}" if path else str(index)) for index, child in enumerate(node))
    return None
