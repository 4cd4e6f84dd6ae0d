"""Real-browser journeys of the money pages: the ledger, a reconciliation and the public verification page."""
from __future__ import annotations

import re

import pytest

from services.context import Services
from tests.money import ledger_world
from tests.services import reconciliation_helpers as rec
from tests.web.test_browser import Person, chromium, expect, live_url, screenshot  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def test_a_bank_reads_its_own_ledger_rows_and_the_supervisor_every_bank(chromium: object, live_url: str,  # noqa: F811
                                                                        services: Services) -> None:
    ledger_world.build(services)
    bank = Person(chromium, live_url, "icbc_user")
    bank.page.get_by_role("link", name="台账").click()
    bank.page.wait_for_url("**/ledger/**")
    own = bank.page.locator("main").inner_text()
    assert "中国工商银行" in own and "中国农业银行" not in own and "太仓农村商业银行" not in own
    bank.context.close()
    supervisor = Person(chromium, live_url, "supervisor", home="/dashboard/")
    page = supervisor.page
    page.goto(f"{live_url}/ledger/?year=2026")
    table = page.locator("main").inner_text()
    assert "中国工商银行" in table and "中国农业银行" in table and "¥10,000,000.00" in table
    screenshot(page, "ledger", publish=True, full_page=True)
    supervisor.context.close()


def test_the_bureau_starts_a_reconciliation_and_the_bank_sees_it(chromium: object, live_url: str,  # noqa: F811
                                                                 services: Services) -> None:
    rec.fix_allocation(services)
    rec.paid_project(services, "bank-icbc", "公交乘车改造", [("100000.00", "2026-05-01")])
    clerk = Person(chromium, live_url, "hrss_clerk")
    page = clerk.page
    page.get_by_role("link", name="对账").click()
    page.wait_for_url("**/reconciliations/")
    page.select_option("select[name=bank]", "bank-icbc")
    page.fill("input[name=period]", "2026Q2")
    page.get_by_role("button", name="发起", exact=True).click()
    page.wait_for_url(re.compile(r".*/reconciliations/\d+$"))
    assert "待银行报送" in page.locator("main").inner_text()
    screenshot(page, "reconciliation", publish=True, full_page=True)
    clerk.context.close()
    other = Person(chromium, live_url, "abc_user")
    other.page.goto(f"{live_url}/reconciliations/")
    assert "2026年第2季度" not in other.page.locator("main").inner_text(), "ABC never sees ICBC's reconciliation"
    other.context.close()


def test_anyone_opens_the_verification_page_without_signing_in(chromium: object, live_url: str,  # noqa: F811
                                                               tmp_path: object) -> None:
    context = chromium.new_context(locale="zh-CN")  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{live_url}/verify")
    assert "/login" not in page.url
    copy = tmp_path / "copy.pdf"  # type: ignore[operator]
    copy.write_bytes(b"%PDF-1.7\n%not a document this system issued\n%%EOF\n")
    page.set_input_files("input[type=file]", str(copy))
    page.locator("main form button[type=submit]").click()
    expect(page.locator("section.verify-result.invalid").get_by_text("校验未通过")).to_be_visible()
    page.wait_for_load_state()  # the verdict's page, whole, for the screenshot
    screenshot(page, "verify", publish=True, full_page=True)
    context.close()
