"""Values that belong to another choice are not recorded (x-when)."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest

from engine.expressions import Evaluator
from engine.forms import apply_patch, form_patch

from services.clock import FixedClock
from services.context import Services
from services.errors import ValidationError
from services.forms import check_form_schema, validate
from tests import support
from tests.services.journey import Journey

FORM = json.loads((support.FUND_PROJECT.parent / "forms" / "review.json").read_text())
REVIEW = apply_patch(FORM, form_patch(FORM, {"budget": "1200000.00"}, Evaluator(lambda: date(2026, 9, 30))))


def test_fields_of_another_choice_are_dropped_before_checking() -> None:
    data = {"review_decision": "revise", "review_opinion": "请补充。", "approved_budget": "1.00",
            "review_report": "ab" * 32}
    assert validate(REVIEW, data) == {"review_decision": "revise", "review_opinion": "请补充。"}
    approved = {**data, "review_decision": "approve", "approved_budget": "100.00"}
    assert validate(REVIEW, approved) == approved


def test_a_form_may_only_depend_on_its_own_fields() -> None:
    broken = json.loads(json.dumps(FORM))
    broken["properties"]["approved_budget"]["x-when"] = {"decision": ["approve"]}
    with pytest.raises(ValidationError, match="x-when"):
        check_form_schema("review.json", broken)


@pytest.mark.parametrize("decision", ["revise", "reject"])
def test_a_review_that_does_not_approve_records_no_approved_budget(services: Services, decision: str) -> None:
    j = Journey(services)
    j.do("health_user", "declare", support.declare(j.sha))
    j.do("bdc_reviewer", "review", {**support.review(decision), "approved_budget": "1200000.00",
                                    "review_report": j.sha})
    shown = j.show()
    (review,) = [e["data"]["data"] for e in shown["history"] if e["data"].get("task") == "review"]
    assert review == {"review_decision": decision, "review_opinion": "评审意见。"}
    assert shown["project"]["approved_budget"] is None
    assert [d["field"] for d in shown["documents"]] == ["feasibility_report"]


def test_an_annual_declaration_records_no_urgency_reason(services: Services) -> None:
    services.clock = FixedClock(datetime(2026, 1, 15, 4, 0, tzinfo=timezone.utc))  # the annual round
    j = Journey(services)
    j.do("health_user", "declare", support.declare(j.sha, urgency_reason="不是追加申报。"))
    (declared,) = [e["data"]["data"] for e in j.show()["history"] if e["data"].get("task") == "declare"]
    assert "urgency_reason" not in declared
