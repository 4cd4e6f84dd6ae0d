"""Rules between the fields of a form that JSON Schema cannot say, declared in the form itself.

- `notBefore: "<field>"`: a date no earlier than another field's date (or the value the task data
  gave it, `x-not-before-value`).
- `notAfter: "today"` (or `"<field>"`): a date no later than today in China, for things that have
  already happened.
- `x-sum-of: {"items": "<array field>", "field": "<money field of an item>"}` on a money field:
  when line items are given, their amounts add up to it exactly.
- `x-when: {"<choice field>": ["<value>", ...]}`: the field applies only while every named field
  has one of the listed values; otherwise whatever was sent for it is dropped, never recorded.
Dates are compared as dates, never as texts; amounts as Decimal.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from services.clock import parse_date
from services.errors import FieldError
from services.money.text import money_text

TODAY = "today"
MESSAGES: dict[str, str] = {
    "notBefore": "This date must not be earlier than {date}.",
    "notAfter": "This date must not be later than {date}.",
    "sum": "The lines add up to {total} but must add up to {expected}.",
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


def _amount(value: Any) -> Decimal | None:
    if not isinstance(value, str):
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def _parts(rows: Any, field: Any) -> list[Decimal | None]:
    return [_amount(row.get(field)) if isinstance(row, dict) else None for row in rows]


def sums(schema: Mapping[str, Any], data: Mapping[str, Any]) -> list[FieldError]:
    """Return an error on the line items of every `x-sum-of` total they do not add up to."""
    errors = []
    for name, prop in _properties(schema).items():
        spec, total = prop.get("x-sum-of"), _amount(data.get(name))
        if not isinstance(spec, dict) or total is None:
            continue
        rows = data.get(spec.get("items"))
        parts = _parts(rows, spec.get("field")) if isinstance(rows, list) else []
        if not parts or any(part is None for part in parts):
            continue
        added = sum(parts, Decimal(0))  # type: ignore[arg-type]
        if added != total:
            errors.append(_error(str(spec["items"]), "sum", total=money_text(added), expected=money_text(total)))
    return errors


def _listed(values: Any) -> list[Any]:
    return values if isinstance(values, list) else [values]


def applies(prop: Mapping[str, Any], data: Mapping[str, Any]) -> bool:
    """Return True if a field applies to the choices made in *data* (its `x-when`, if any)."""
    when = prop.get("x-when")
    if not isinstance(when, dict):
        return True
    return all(data.get(field) in _listed(values) for field, values in when.items())


def applicable(schema: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """Return *data* without the fields that do not apply to the choices it makes."""
    props = _properties(schema)
    return {name: value for name, value in data.items() if name not in props or applies(props[name], data)}


def _when_problems(name: str, prop: Mapping[str, Any], props: Mapping[str, Any]) -> list[str]:
    when = prop.get("x-when")
    if when is None:
        return []
    if not isinstance(when, dict) or not when or not set(when) <= set(props) - {name}:
        return [f"{name}: x-when must name other fields of the form with the values it applies to"]
    return []


def convention_problems(schema: Mapping[str, Any]) -> list[str]:
    """Return what is wrong with the conventions a form schema uses (they must name what the form has)."""
    problems, props = [], _properties(schema)
    for name, prop in props.items():
        problems += _when_problems(name, prop, props)
        spec = prop.get("x-sum-of")
        if spec is None:
            continue
        lines = props.get(spec.get("items")) if isinstance(spec, dict) else None
        items = _properties(lines.get("items", {})) if isinstance(lines, dict) else {}
        if not isinstance(lines, dict) or lines.get("type") != "array" or spec.get("field") not in items:
            problems.append(f"{name}: x-sum-of must name an array field and a field of its items")
        elif items[spec["field"]].get("format") != "money" or prop.get("format") != "money":
            problems.append(f"{name}: x-sum-of adds amounts (format: money) into an amount")
    return problems


def rule_errors(schema: Mapping[str, Any], data: Mapping[str, Any], today: date) -> list[FieldError]:
    """Return every broken cross-field rule of *schema* in *data* (already valid by JSON Schema)."""
    return date_order(schema, data, today) + sums(schema, data)
