"""Line items declared as the parts of a total must add up to it exactly (x-sum-of)."""
from __future__ import annotations

import json

import pytest

from services.context import Services
from services.errors import ValidationError
from services.forms import check_form_schema, validate
from tests import support
from tests.services.journey import Journey

SCHEMA = {
    "type": "object",
    "properties": {
        "budget": {"type": "string", "format": "money", "title": "项目预算（元）",
                   "x-sum-of": {"items": "budget_lines", "field": "line_amount"}},
        "budget_lines": {"type": "array", "items": {"type": "object", "properties": {
            "line_item": {"type": "string"}, "line_amount": {"type": "string", "format": "money"}}}},
    },
}


def lines(*amounts: str) -> list[dict[str, str]]:
    return [{"line_item": f"第{n}项", "line_amount": a} for n, a in enumerate(amounts, start=1)]


def test_lines_that_add_up_to_the_total_pass_and_no_lines_at_all_pass_too() -> None:
    assert validate(SCHEMA, {"budget": "800000", "budget_lines": lines("700000", "100000.00")})["budget"] == "800000.00"
    assert validate(SCHEMA, {"budget": "0.30", "budget_lines": lines("0.10", "0.20")})["budget"] == "0.30"
    assert validate(SCHEMA, {"budget": "860000"})["budget"] == "860000.00"
    assert validate(SCHEMA, {"budget": "860000", "budget_lines": []})["budget"] == "860000.00"


def test_lines_that_do_not_add_up_are_refused_on_the_lines() -> None:
    with pytest.raises(ValidationError) as caught:
        validate(SCHEMA, {"budget": "860000", "budget_lines": lines("700000", "100000")})
    (error,) = caught.value.fields
    assert (error.path, error.code) == ("budget_lines", "sum")
    assert error.message == "The lines add up to ¥800,000.00 but must add up to ¥860,000.00."


def test_a_sum_must_name_line_items_the_form_has() -> None:
    broken = json.loads(json.dumps(SCHEMA))
    broken["properties"]["budget"]["x-sum-of"]["field"] = "amount"
    with pytest.raises(ValidationError, match="x-sum-of"):
        check_form_schema("declare.json", broken)
    check_form_schema("declare.json", SCHEMA)


def test_a_declaration_whose_lines_miss_the_budget_is_refused(services: Services) -> None:
    j = Journey(services)
    data = support.declare(j.sha, budget="860000.00", budget_lines=[
        {"line_category": "it.software", "line_item": "开发", "line_amount": "700000.00"},
        {"line_category": "it.hardware", "line_item": "设备", "line_amount": "100000.00"}])
    with pytest.raises(ValidationError) as caught:
        j.do("health_user", "declare", data)
    assert [(e.path, e.code) for e in caught.value.fields] == [("budget_lines", "sum")]
    assert j.open_names() == ["declare"]
