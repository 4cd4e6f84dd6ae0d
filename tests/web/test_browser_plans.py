"""Real-browser journey of the fund use plans: the bureau moves a project and the bank figures follow."""
from __future__ import annotations

import pytest

from services.context import Services
from tests.services import plan_world as world
from tests.web.test_browser import Person, chromium, expect, live_url, screenshot  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def test_the_bureau_moves_a_project_between_banks_plans(chromium: object, live_url: str,  # noqa: F811
                                                        services: Services) -> None:
    world.fix_allocation(services)
    a = world.reviewed(services, "社保卡乘车码应用", "820000.00")
    b = world.reviewed(services, "社保卡就医一码通", "1234.56")
    world.join(services, a, "bank-icbc", "820000.00", "首期")
    world.join(services, b, "bank-icbc", "1234.56")
    c = world.reviewed(services, "社保卡文旅惠民一卡通", "300000.00")
    world.join(services, c, "bank-abc", "300000.00")
    clerk = Person(chromium, live_url, "hrss_clerk")
    page = clerk.page
    page.get_by_role("navigation").get_by_role("link", name="资金使用计划", exact=True).click()
    page.wait_for_url("**/plans/**")
    icbc = page.locator("#bank-bank-icbc")
    assert "82.123456" in icbc.inner_text() and "-30.123456" in icbc.inner_text()
    row = page.locator(f"tr[data-project='{b}']")
    row.locator("select[name=target_bank]").select_option("bank-trcb")
    row.get_by_role("button", name="移动").click()
    expect(page.locator("main")).to_contain_text("已移至", use_inner_text=True)  # the page after the move…
    page.wait_for_load_state()  # …loaded whole before its figures are read (some must be absent)
    assert "社保卡就医一码通" in page.locator("#bank-bank-trcb").inner_text()
    icbc_text = page.locator("#bank-bank-icbc").inner_text()
    assert "0.123456" not in icbc_text and "-30" in icbc_text  # 520,000 − 820,000 = −300,000: −30 万元
    screenshot(page, "plans", publish=True, full_page=True)
    clerk.context.close()
    bank = Person(chromium, live_url, "abc_user")
    bank.page.goto(f"{live_url}/plans/?year=2026")
    own = bank.page.locator("main").inner_text()
    assert "社保卡文旅惠民一卡通" in own and "社保卡乘车码应用" not in own
    bank.context.close()
