"""Form conventions in a real browser: the live total under budget lines, fields that follow the decision."""
from __future__ import annotations

import pytest

from tests import support
from tests.services.journey import Journey
from tests.web.test_browser import Person, chromium, expect, live_url  # noqa: F401 - the fixtures

pytestmark = pytest.mark.browser


def test_the_total_of_the_budget_lines_follows_what_is_typed(chromium: object, live_url: str,  # noqa: F811
                                                             journey: Journey) -> None:
    health = Person(chromium, live_url, "health_user")
    health.page.goto(f"{live_url}/tasks/{journey.task_id('declare')}")
    total = health.page.locator('output[data-sum-of="budget_lines"]')
    expect(total).to_have_text("¥0.00", use_inner_text=True)
    health.fill(**{"budget_lines-0-line_amount": "700000", "budget_lines-1-line_amount": "100,000.5"})
    expect(total).to_have_text("¥800,000.50", use_inner_text=True)
    health.page.click('[data-add-row="budget_lines"]')
    health.page.click('[data-add-row="budget_lines"]')
    health.fill(**{"budget_lines-4-line_amount": "0.10", "budget_lines-2-line_amount": "0.2"})
    expect(total).to_have_text("¥800,000.80", use_inner_text=True)
    health.context.close()


def test_the_approved_budget_shows_only_when_the_review_approves(chromium: object, live_url: str,  # noqa: F811
                                                                 journey: Journey) -> None:
    journey.do("health_user", "declare", support.declare(journey.sha))
    reviewer = Person(chromium, live_url, "bdc_reviewer")
    reviewer.page.goto(f"{live_url}/tasks/{journey.task_id('review')}")
    budget, report = reviewer.page.locator("#field-approved_budget"), reviewer.page.locator("#field-review_report")
    expect(budget).to_be_hidden()
    expect(report).to_be_hidden()
    reviewer.choose(review_decision="approve")
    approved = reviewer.page.locator('[name="approved_budget"]')
    expect(budget).to_be_visible()
    expect(approved).to_have_value("1,200,000.00")
    reviewer.choose(review_decision="revise")
    expect(budget).to_be_hidden()
    expect(approved).to_be_disabled()
    reviewer.fill(review_opinion="请补充测算依据。")
    reviewer.submit()
    shown = journey.show()
    assert shown["project"]["approved_budget"] is None and journey.open_names() == ["declare"]
    reviewer.context.close()
