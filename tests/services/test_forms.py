"""Form data is checked against the task's schema, with clear field messages."""
from __future__ import annotations

from datetime import date

import pytest

from engine.expressions import Evaluator
from engine.forms import apply_patch, form_patch
from services.errors import ValidationError
from services.forms import validate, with_options

SCHEMA = {
    "type": "object",
    "properties": {
        "amount": {"type": "string", "format": "money", "title": "金额",
                   "moneyMinimum": "0.01", "moneyMaximum": {"$expr": "money(price) - money(paid)"},
                   "default": {"$expr": "money(price) - money(paid)"}},
        "on": {"type": "string", "format": "date", "notBefore": "signed_on"},
        "name": {"type": "string", "minLength": 1, "maxLength": 10},
        "decision": {"type": "string", "oneOf": [{"const": "approve", "title": "通过"}],
                     "x-prefill": False},
        "ok": {"type": "boolean", "const": True},
        "bank": {"type": "string", "x-options": "banks"},
    },
    "required": ["amount", "name"],
    "additionalProperties": False,
}
DATA = {"price": "100.00", "paid": "40.00", "signed_on": "2026-03-01", "name": "old", "decision": "approve"}


def resolved() -> dict:
    patch = form_patch(SCHEMA, DATA, Evaluator(lambda: date(2026, 3, 2)))
    return with_options(apply_patch(SCHEMA, patch), {"banks": [("bank-a", "A 银行")]})


def errors_of(data: dict) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        validate(resolved(), data)
    return {e.path: e.code for e in caught.value.fields}


def test_defaults_and_limits_come_from_task_data() -> None:
    schema = resolved()
    assert schema["properties"]["amount"]["default"] == "60.00"
    assert schema["properties"]["amount"]["moneyMaximum"] == "60.00"
    assert schema["properties"]["name"]["default"] == "old"
    assert "default" not in schema["properties"]["decision"]
    assert schema["properties"]["bank"]["oneOf"] == [{"const": "bank-a", "title": "A 银行"}]


def test_valid_data_is_normalised() -> None:
    assert validate(resolved(), {"amount": "60", "name": "x", "on": "2026-03-01"}) == {
        "amount": "60.00", "name": "x", "on": "2026-03-01"}


def test_each_problem_is_reported_on_its_field() -> None:
    assert errors_of({"amount": "60.001", "on": "2026-02-30", "ok": False, "bank": "bank-z",
                      "decision": "maybe", "extra": 1}) == {
        "amount": "money", "on": "date", "name": "required", "ok": "confirm", "bank": "choice",
        "decision": "choice", "extra": "additionalProperties"}


def test_money_limits_and_date_order() -> None:
    assert errors_of({"amount": "60.01", "name": "x"}) == {"amount": "moneyMaximum"}
    assert errors_of({"amount": "0.00", "name": "x"}) == {"amount": "moneyMinimum"}
    assert errors_of({"amount": "1", "name": "x", "on": "2026-02-28"}) == {"on": "notBefore"}


def test_empty_required_text_reads_as_required() -> None:
    assert errors_of({"amount": "1", "name": ""}) == {"name": "required"}


def test_over_posted_fields_are_refused_even_without_additional_properties() -> None:
    open_schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    with pytest.raises(ValidationError) as caught:
        validate(open_schema, {"a": "x", "approved": True})
    assert caught.value.field_messages() == {"approved": "Unknown field."}


def test_form_data_must_be_an_object() -> None:
    with pytest.raises(ValidationError):
        validate(SCHEMA, ["amount"])
