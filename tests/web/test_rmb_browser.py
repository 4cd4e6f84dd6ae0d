"""web/static/rmb.js in Debian's Chromium: money fields show their amount in capitals as one types."""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

CHROMIUM = "/usr/bin/chromium"
SCRIPT = Path(__file__).resolve().parents[2] / "web" / "static" / "rmb.js"
PAGE = '<form><input name="amount" data-money value="820000"><input name="note"></form>'


@pytest.fixture(scope="module")
def page() -> Iterator[object]:
    assert Path(CHROMIUM).exists(), "Debian chromium is required (scripts/test installs it)"
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.set_content(PAGE)
        page.add_script_tag(path=str(SCRIPT))
        yield page
        browser.close()


def test_money_fields_show_capitals_live(page: object) -> None:
    upper = page.locator("input[name=amount] + span.rmb-upper")  # type: ignore[attr-defined]
    expect(upper).to_have_text("捌拾贰万元整")
    page.fill("input[name=amount]", "100001000.5")  # type: ignore[attr-defined]
    expect(upper).to_have_text("壹亿零壹仟元零伍角")
    page.fill("input[name=amount]", "1,000")  # type: ignore[attr-defined]
    expect(upper).to_have_text("")
    expect(upper).to_have_class(re.compile("rmb-invalid"))
    expect(page.locator("span.rmb-upper")).to_have_count(1)  # type: ignore[attr-defined]
    assert page.evaluate("YikatongRmb.rmbUpper('0.01')") == "壹分"  # type: ignore[attr-defined]
