"""Fill a form's dynamic parts from task data: `{"$expr": ...}` values and prefills (see prefilled()).

The result is a *patch*: a mapping of JSON pointers to values, small enough to store
with each ready task, applied to the model version's form when it is shown or checked.
"""
from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

from engine.errors import ExpressionError
from engine.expressions import Evaluator, to_data

Patch = dict[str, Any]


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _unescape(key: str) -> str:
    return key.replace("~1", "/").replace("~0", "~")


def _expressions(node: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        if set(node) == {"$expr"}:
            yield pointer, node["$expr"]
            return
        for key, value in node.items():
            yield from _expressions(value, f"{pointer}/{_escape(key)}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _expressions(value, f"{pointer}/{index}")


def expressions_of(schema: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return every (pointer, expression) of a form schema."""
    return list(_expressions(schema))


def prefilled(prop: Mapping[str, Any]) -> bool:
    """Return True if a field starts from the value an earlier step gave it.

    Never a file (each step attaches its own documents: a second notice needs its own invoice), and
    not a field that says `x-prefill: false` (what belongs to one round only: a decision, an amount).
    """
    return prop.get("format") != "file" and prop.get("x-prefill", True) is not False


def form_patch(schema: Mapping[str, Any], data: Mapping[str, Any], evaluator: Evaluator) -> Patch:
    """Evaluate the form's expressions and prefills against *data* and return the patch."""
    patch: Patch = {}
    for pointer, expression in _expressions(schema):
        try:
            patch[pointer] = to_data(evaluator.evaluate(expression, data))
        except ExpressionError:
            if pointer.endswith("/default"):
                patch[pointer] = None
    properties = schema.get("properties", {})
    for name, prop in properties.items():
        if not isinstance(prop, dict):
            continue
        if name in data and prefilled(prop):
            patch[f"/properties/{_escape(name)}/default"] = data[name]
        other = prop.get("notBefore")
        if other and other not in properties and isinstance(data.get(other), str):
            patch[f"/properties/{_escape(name)}/x-not-before-value"] = data[other]
    return patch


def apply_patch(schema: Mapping[str, Any], patch: Patch) -> dict[str, Any]:
    """Return a copy of *schema* with the patch's values set; None removes a key."""
    result = copy.deepcopy(dict(schema))
    for pointer, value in patch.items():
        *parents, last = [_unescape(part) for part in pointer.split("/")[1:]]
        node: Any = result
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        if isinstance(node, list):
            node[int(last)] = value
        elif value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return result


SENDS_BACK = "x-sends-back"


def sends_back(schema: Mapping[str, Any], data: Mapping[str, Any]) -> str | None:
    """Return the stated reason ('' if none) if *data* of this form sends the work back, else None.

    A form marks the choice that sends work back on the deciding field:
    `"x-sends-back": {"values": ["revise"], "reason": "review_opinion"}`.
    """
    for name, prop in (schema.get("properties") or {}).items():
        marker = prop.get(SENDS_BACK) if isinstance(prop, dict) else None
        if not isinstance(marker, dict) or name not in data:
            continue
        if any(data[name] == v and type(data[name]) is type(v) for v in marker.get("values", [])):
            reason = data.get(str(marker.get("reason") or ""))
            return str(reason).strip() if reason else ""
    return None
