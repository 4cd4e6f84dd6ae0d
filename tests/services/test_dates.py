"""Dates are written YYYY-MM-DD and nothing else, and date rules compare dates, not texts."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from services.clock import parse_date
from services.context import Services, operations_for
from services.errors import ValidationError
from services.forms import validate
from tests import support
from tests.services.journey import Journey

SCHEMA = {
    "type": "object",
    "properties": {
        "notice_date": {"type": "string", "format": "date"},
        "paid_on": {"type": "string", "format": "date", "notBefore": "notice_date"},
    },
}
# Python's date.fromisoformat accepts all of these; none of them is how a person writes a date here.
NOT_DATES = ["2026-W05-1", "2026W051", "20260130", "2026-W05", "２０２６-０１-３０", "2026-01-30T00:00",
             " 2026-01-30", "2026-02-30"]


@pytest.mark.parametrize("text", NOT_DATES)
def test_only_year_month_day_is_a_date(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate(SCHEMA, {"notice_date": "2026-01-20", "paid_on": text})
    assert [(e.path, e.code) for e in caught.value.fields] == [("paid_on", "date")]
    with pytest.raises(ValueError):
        parse_date(text)


def test_a_week_date_cannot_slip_a_payment_before_its_notice() -> None:
    with pytest.raises(ValidationError) as caught:
        validate(SCHEMA, {"notice_date": "2026-01-30", "paid_on": "2026-W05-1"})
    assert caught.value.field_messages() == {"paid_on": "Enter a date as YYYY-MM-DD."}
    with pytest.raises(ValidationError) as caught:
        validate(SCHEMA, {"notice_date": "2026-01-30", "paid_on": "2026-01-29"})
    assert [e.code for e in caught.value.fields] == ["notBefore"]
    assert validate(SCHEMA, {"notice_date": "2026-01-30", "paid_on": "2026-01-30"})["paid_on"] == "2026-01-30"


def test_the_payment_deadline_is_computed_only_from_a_real_date() -> None:
    due = operations_for(lambda: date(2026, 9, 30))["compute_payment_due_date"]
    assert due("2026-09-25")["due_date"] == "2026-11-12"
    with pytest.raises(ValueError):
        due("2026-W39-5")


FORMS_DIR = support.FUND_PROJECT.parent / "forms"
HAPPENED = {"notice_date": "2026-09-30", "paid_on": "2026-10-01"}


def test_a_date_of_something_that_happened_may_not_be_after_today() -> None:
    schema = {"type": "object", "properties": {
        "paid_on": {"type": "string", "format": "date", "notAfter": "today"}}}
    assert validate(schema, {"paid_on": "2026-09-30"}, today=date(2026, 9, 30)) == {"paid_on": "2026-09-30"}
    with pytest.raises(ValidationError) as caught:
        validate(schema, {"paid_on": "2026-10-01"}, today=date(2026, 9, 30))
    assert [(e.path, e.code, e.message) for e in caught.value.fields] == [
        ("paid_on", "notAfter", "This date must not be later than 2026-09-30.")]


@pytest.mark.parametrize("form", sorted(p.name for p in FORMS_DIR.glob("*.json")))
def test_every_date_field_of_the_shipped_forms_records_something_that_has_happened(form: str) -> None:
    properties = json.loads((FORMS_DIR / form).read_text())["properties"]
    dates = {name: prop.get("notAfter") for name, prop in properties.items() if prop.get("format") == "date"}
    assert dates == {name: "today" for name in dates}


TOMORROW = (support.TODAY + timedelta(days=1)).isoformat()
DATED_STEPS = [  # (user, task, sample data, its date fields)
    ("icbc_user", "bank_confirm", support.SECURE_FUNDS, ["funds_secured_on"]),
    ("hrss_clerk", "procurement", support.PROCUREMENT, ["procurement_date"]),
    ("icbc_user", "contract", support.CONTRACT, ["contract_date"]),
    ("health_user", "construction", support.CONSTRUCTION, ["construction_start", "construction_end"]),
    ("health_user", "acceptance", None, ["acceptance_date"]),
    ("bdc_reviewer", "acceptance_bdc", support.sign("bdc"), []),
    ("hrss_reviewer", "acceptance_hrss", support.sign("hrss"), []),
    ("hrss_clerk", "payment_notice", None, ["notice_date"]),
    ("icbc_user", "payment_receipt", support.receipt(), ["received_on"]),
    ("icbc_user", "payment", support.paid(), ["paid_on"]),
]


def test_no_step_accepts_a_date_after_today_in_china(services: Services) -> None:
    j = Journey(services).to_plan()
    samples = {"acceptance": support.acceptance(sha=j.sha), "payment_notice": support.notice("100.00", sha=j.sha)}
    for user, task, data, fields in DATED_STEPS:
        data = data or samples[task]
        act = j.plan_do if task == "bank_confirm" else j.do  # the bank confirms the funds in its plan
        for name in fields:
            with pytest.raises(ValidationError) as caught:
                act(user, task, {**data, **{f: TOMORROW for f in fields}})
            assert caught.value.field_messages()[name] == f"This date must not be later than {support.TODAY}."
        act(user, task, data)
    assert j.show()["payments"][0]["paid_on"] == support.paid()["paid_on"]
