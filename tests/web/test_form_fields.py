"""Forms from JSON Schemas: which input each property gets, and how posted text becomes typed data."""
from __future__ import annotations

import io
import json

from flask import Flask
from werkzeug.datastructures import FileStorage, MultiDict

from bpmn import DIAGRAMS_DIR
from web.pages import forms
from web.pages.formdata import parse

FORMS = DIAGRAMS_DIR / "forms"


def _schema(name: str) -> dict:
    return json.loads((FORMS / f"{name}.json").read_text())


def _widgets(app: Flask, name: str) -> dict[str, str]:
    with app.test_request_context("/"):
        fields, _ = forms.build(_schema(name), {}, {}, {})
    return {f.name: f.widget for f in fields}


def test_each_kind_of_property_gets_its_own_input(app: Flask) -> None:
    declare = _widgets(app, "declare")
    assert "declaration_round" not in declare, "a value the system sets is shown, never entered"
    assert declare["category"] == "select" and declare["budget"] == "money"
    assert _widgets(app, "review")["review_decision"] == "radio"
    assert _widgets(app, "allocation_setup")["allocation_year"] == "integer"
    assert declare["budget_lines"] == "lines" and declare["project_description"] == "textarea"
    assert declare["feasibility_report"] == "file" and declare["project_name"] == "text"
    assert _widgets(app, "secure_funds")["funds_decision"] == "radio"
    assert _widgets(app, "acceptance")["acceptance_department_passed"] == "yesno"
    assert _widgets(app, "construction")["construction_start"] == "date"
    assert _widgets(app, "procurement")["procurement_method"] == "select"


def test_required_fields_are_marked_and_line_items_get_blank_rows(app: Flask) -> None:
    with app.test_request_context("/"):
        fields, _ = forms.build(_schema("declare"), {}, {}, {})
    by_name = {f.name: f for f in fields}
    assert by_name["project_name"].required and not by_name["project_description"].required
    lines = by_name["budget_lines"]
    assert len(lines.rows) == forms.BLANK_ROWS and [c.required for c in lines.columns] == [True, True, True]


def test_errors_without_a_field_are_listed_for_the_whole_form(app: Flask) -> None:
    with app.test_request_context("/"):
        fields, leftover = forms.build(_schema("review"), {}, {"review_opinion": "x", "approved": "y"}, {})
    assert [f.error for f in fields if f.name == "review_opinion"] == ["x"]
    assert leftover == [("approved", "y")]


def test_posted_text_becomes_the_schemas_types() -> None:
    form = MultiDict({
        "declaration_round": "annual", "declaration_year": "2026", "budget": "¥1,200,000.5 ",
        "project_name": " 项目 ", "project_description": "", "budget_lines-0-line_item": "",
        "budget_lines-3-line_item": "开发", "budget_lines-3-line_amount": "1,000",
        "feasibility_report": "ab" * 32, "csrf_token": "t", "approved": "true",
    })
    parsed = parse(_schema("declare"), form, MultiDict())
    assert parsed.data == {
        "budget": "1200000.5", "project_name": "项目",
        "budget_lines": [{"line_item": "开发", "line_amount": "1000"}], "feasibility_report": "ab" * 32,
        "approved": "true",
    }, "read-only fields (the round and year the system decides) are not taken from the post"
    assert parse(_schema("allocation_setup"), MultiDict({"allocation_year": "2026"}), MultiDict()).data == {
        "allocation_year": 2026}
    assert parsed.raw["budget"] == "¥1,200,000.5 " and parsed.raw["budget_lines"][0]["line_amount"] == "1,000"


def test_booleans_integers_that_do_not_parse_and_uploads() -> None:
    upload = FileStorage(io.BytesIO(b"%PDF-1.4"), filename="报告.pdf", name="acceptance_report")
    form = MultiDict({"acceptance_department_passed": "false", "acceptance_date": "2026-09-10"})
    parsed = parse(_schema("acceptance"), form, MultiDict({"acceptance_report": upload}))
    assert parsed.data == {"acceptance_department_passed": False, "acceptance_date": "2026-09-10"}
    assert [(u.field, u.filename, u.content) for u in parsed.uploads] == [
        ("acceptance_report", "报告.pdf", b"%PDF-1.4")]
    year = parse(_schema("allocation_setup"), MultiDict({"allocation_year": "二〇二六"}), MultiDict())
    assert year.data["allocation_year"] == "二〇二六"


def test_a_date_of_something_that_happened_offers_no_day_after_today(app: Flask) -> None:
    with app.test_request_context("/"):
        fields, _ = forms.build(_schema("payment"), {}, {}, {}, "2026-09-30")
    assert {f.name: f.max_date for f in fields if f.widget == "date"} == {"paid_on": "2026-09-30"}


def test_hints_describe_the_control_the_page_shows(app: Flask) -> None:
    for path in sorted(FORMS.glob("*.json")):
        for name, prop in json.loads(path.read_text())["properties"].items():
            hint = prop.get("description", "")
            if prop.get("readOnly"):
                continue  # shown by the system, not a control
            with app.test_request_context("/"):
                (field,), _ = forms.build({"properties": {name: prop}}, {}, {}, {})
            if field.widget == "yesno":
                assert "勾选" not in hint and "“否”" in hint, (path.name, name, hint)
            if field.widget != "confirm":
                assert "勾选" not in hint, (path.name, name, hint)
