"""In the browser: the bank returns the plan with its reason, and the bureau's clerk sees it first."""
from __future__ import annotations

import pytest

from tests.services.journey import Journey
from tests.web.test_browser import Person, chromium, expect, live_url, screenshot  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser
REASON = "计划金额超出本行本年度可用额度，请调整后重新报送。"


def test_the_bank_returns_the_plan_and_the_clerk_reads_why(
        chromium: object, live_url: str, journey: Journey) -> None:  # noqa: F811 - the fixtures
    journey.to_plan("bank-icbc")
    bank = Person(chromium, live_url, "icbc_user")
    bank.open_task("合作金融资金使用计划表", "合作银行确认资金保障")
    date, reason = bank.page.locator("#field-funds_secured_on"), bank.page.locator("#field-funds_return_reason")
    bank.choose(funds_decision="confirm")
    expect(date).to_be_visible()
    expect(reason).to_be_hidden()
    bank.choose(funds_decision="return")
    expect(date).to_be_hidden()
    expect(reason).to_be_visible()
    bank.page.get_by_role("button", name="提交", exact=True).click()
    bank.page.wait_for_selector("#field-funds_return_reason.has-error")
    assert journey.plan_task_id("bank_confirm")
    bank.fill(funds_return_reason=REASON)
    screenshot(bank.page, "bank-returns-the-plan", full_page=True)
    bank.submit()
    assert journey.plan_task_id("plan_prepare") and journey.open_names() == []
    clerk = Person(chromium, live_url, "hrss_clerk")
    row = clerk.page.locator("table.tasks tbody tr").filter(has_text="合作金融资金使用计划表")
    expect(row).to_contain_text("已退回", use_inner_text=True)
    expect(row).to_contain_text("周婷（工商银行）", use_inner_text=True)
    clerk.open_task("合作金融资金使用计划表", "填报资金使用计划表")
    notice = clerk.page.locator("#returned")
    expect(notice).to_contain_text(REASON, use_inner_text=True)
    expect(notice).to_contain_text("确认资金保障", use_inner_text=True)
    screenshot(clerk.page, "plan-returned-by-the-bank", full_page=True)
    bank.context.close()
    clerk.context.close()
