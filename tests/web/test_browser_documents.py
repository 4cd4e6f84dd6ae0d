"""In Chromium: money fields of a real form show their amount in capitals as one types, new line rows too."""
from __future__ import annotations

import pytest

from tests.web.test_browser import Person, chromium, expect, live_url  # noqa: F401 - the fixtures

pytestmark = pytest.mark.browser


def test_the_declaration_form_writes_every_amount_in_capitals_live(chromium: object, live_url: str) -> None:
    health = Person(chromium, live_url, "health_user")
    page = health.page
    page.goto(f"{live_url}/projects/new")
    budget = page.locator('.money-input:has([name="budget"]) + .rmb-upper')
    page.fill('[name="budget"]', "1200000.5")
    expect(budget).to_have_text("壹佰贰拾万元零伍角", use_inner_text=True)
    page.fill('[name="budget_lines-0-line_amount"]', "1000")
    first = page.locator('.money-input:has([name="budget_lines-0-line_amount"]) + .rmb-upper')
    expect(first).to_have_text("壹仟元整", use_inner_text=True)
    rows = page.locator('table[data-lines="budget_lines"] tbody tr')
    last = rows.count() - 1
    page.fill(f'[name="budget_lines-{last}-line_amount"]', "5")  # the row the new one is copied from
    page.locator('[data-add-row="budget_lines"]').click()
    new = f"budget_lines-{last + 1}-line_amount"
    added = page.locator(f'.money-input:has([name="{new}"]) + .rmb-upper')
    expect(added).to_have_text("", use_inner_text=True)
    page.fill(f'[name="{new}"]', "0.01")
    expect(added).to_have_text("壹分", use_inner_text=True)
    expect(first).to_have_text("壹仟元整", use_inner_text=True)
    page.fill('[name="budget"]', "1,200")
    expect(budget).to_have_text("", use_inner_text=True)
    health.context.close()
