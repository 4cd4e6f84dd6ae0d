"""Rules between the fields of a form that JSON Schema cannot say, declared in the form itself.

- `notBefore: "<field>"`: a date no earlier than another field's date (or the value the task data
  gave it, `x-not-before-value`).
- `notAfter: "today"` (or `"<field>"`): a date no later than today in China, for things that have
  already happened.
Dates are compared as dates, never as texts.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from services.clock import parse_date
from services.errors import FieldError

TODAY = "today"
MESSAGES: dict[str, str] = {
    "notBefore": "This date must not be earlier than {date}.",
    "notAfter": "This date must not be later than {date}.",
}


def _error(path: str, code: str, **params: Any) -> FieldError:
    return FieldError(path, code, MESSAGES[code], params)


def as_date(value: Any) -> date | None:
    """Return *value* as a date if it is one written YYYY-MM-DD, else None."""
    try:
        return parse_date(value)
    except ValueError:
        return None


def _properties(schema: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    props = schema.get("properties")
    return {k: v for k, v in props.items() if isinstance(v, dict)} if isinstance(props, dict) else {}


def _bound(prop: Mapping[str, Any], keyword: str, data: Mapping[str, Any], today: date) -> date | None:
    other = prop.get(keyword)
    if other == TODAY:
        return today
    if not isinstance(other, str):
        return None
    fallback = prop.get("x-not-before-value") if keyword == "notBefore" else None
    return as_date(data.get(other, fallback))


def date_order(schema: Mapping[str, Any], data: Mapping[str, Any], today: date) -> list[FieldError]:
    """Return an error for every date earlier than its `notBefore` or later than its `notAfter`."""
    errors = []
    for name, prop in _properties(schema).items():
        value = as_date(data.get(name))
        if value is None:
            continue
        earliest, latest = _bound(prop, "notBefore", data, today), _bound(prop, "notAfter", data, today)
        if earliest is not None and value < earliest:
            errors.append(_error(name, "notBefore", date=earliest.isoformat()))
        elif latest is not None and value > latest:
            errors.append(_error(name, "notAfter", date=latest.isoformat()))
    return errors


def rule_errors(schema: Mapping[str, Any], data: Mapping[str, Any], today: date) -> list[FieldError]:
    """Return every broken cross-field rule of *schema* in *data* (already valid by JSON Schema)."""
    return date_order(schema, data, today)
