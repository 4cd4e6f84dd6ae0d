"""Real-browser journeys of oversight: the supervisor's dashboard and an administrator's action."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from services.context import Services
from tests.services import samples
from tests.web.test_browser import Person, chromium, expect, live_url, screenshot  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


@pytest.fixture
def ids(services: Services) -> dict[str, int]:
    """The five sample projects; the clock on 30 November, after project #4's payment fell due."""
    seeded = samples.seed(services)
    samples.at(services, datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc))
    return seeded


def test_the_supervisor_finds_the_overdue_payment_on_the_dashboard(chromium: object, live_url: str,  # noqa: F811 - the fixtures
                                                                   ids: dict[str, int]) -> None:
    supervisor = Person(chromium, live_url, "supervisor", home="/dashboard/")
    page = supervisor.page
    expect(page.get_by_role("heading", name="总览", exact=True)).to_be_visible()
    counts = page.locator("section.counts").first.inner_text()
    assert "5\n办理中" in counts and "1\n逾期付款" in counts
    assert "¥6,000,000.00" in page.locator("table.amounts").inner_text()
    page.check('form.filters input[name="overdue"]')
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**/dashboard/?*overdue=1*")
    listed = page.locator("table.dashboard-list tbody tr")
    expect(listed).to_have_count(1)
    row = listed.first.inner_text()
    assert "社保卡乘车码应用" in row and "中国工商银行太仓分行" in row and "已逾期" in row
    screenshot(page, "dashboard", publish=True, full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the phone scrolls sideways"
    cells = listed.first.locator("td[data-label]").evaluate_all(
        "els => els.map(el => [getComputedStyle(el).display, getComputedStyle(el, '::before').content])")
    assert {display for display, _ in cells} == {"grid"}, "one labelled line per value on a phone"
    assert {'"核定预算"', '"已付"', '"付款期限"'} <= {label for _, label in cells}
    screenshot(page, "dashboard-phone", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 860})
    listed.first.get_by_role("link", name="社保卡乘车码应用").click()
    page.wait_for_url(f"{live_url}/projects/{ids['payment']}")
    text = page.locator("main").inner_text()
    assert "资金支付" in text and "确认付款" in text and "2026年11月2日" in text
    assert "¥1,000,000.00" in text and "中国工商银行太仓分行" in text and "HT-2026-018" in text
    assert page.get_by_role("link", name="办理").count() == 0
    assert page.get_by_role("heading", name="系统管理员操作").count() == 0
    screenshot(page, "dashboard-project", full_page=True)
    supervisor.context.close()


def test_an_administrator_suspends_a_project_with_a_reason(chromium: object, live_url: str,  # noqa: F811 - the fixtures
                                                           ids: dict[str, int]) -> None:
    admin = Person(chromium, live_url, "admin", home="/dashboard/")
    page = admin.page
    page.goto(f"{live_url}/projects/{ids['payment']}")
    panel = page.locator("section.admin-actions")
    panel.locator("#suspend-reason").fill("核查付款资料")
    panel.scroll_into_view_if_needed()
    screenshot(page, "admin-actions", publish=True)
    panel.get_by_role("button", name="暂停").click()
    # the form posts and comes back to this same address: wait for what the new page says, not for the URL
    main = page.locator("main")
    expect(main).to_contain_text("项目已暂停。", use_inner_text=True)
    expect(main).to_contain_text("系统管理员暂停项目", use_inner_text=True)
    expect(main).to_contain_text("核查付款资料", use_inner_text=True)
    expect(page.locator("section.admin-actions").get_by_role("button", name="恢复")).to_be_visible()
    expect(page).to_have_url(f"{live_url}/projects/{ids['payment']}")
    admin.context.close()
