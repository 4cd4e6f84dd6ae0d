"""Real-browser journeys: Debian's Chromium driven by Playwright against the app served by waitress."""
from __future__ import annotations

import os
import re
import shutil
import threading
from datetime import timedelta
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from services.context import Services
from tests.services.journey import Journey
from tests.web.site import PDF
from tests import support

pytestmark = pytest.mark.browser
playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect
# Reads right after an action do not wait (is_visible, inner_text, input_value…): the tests assert with
# expect(), which retries until the page shows it, or wait for the next page to load before reading.
expect.set_options(timeout=10_000)  # as long as the pages' own default timeout

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ROOT / "docs" / "screenshots"
LAPTOP = {"width": 1280, "height": 860}
TABLET = {"width": 768, "height": 1024}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def live_url(app: Flask) -> Iterator[str]:
    """The application served by waitress on a free localhost port, in a thread."""
    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, name="waitress-test", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """Debian's Chromium, started once for the module (never a browser Playwright downloads)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (scripts/test installs it)")
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def screenshot(page: object, name: str, *, publish: bool = False, full_page: bool = False) -> None:
    """Save a screenshot to test-artifacts/ (and to docs/screenshots/ when UPDATE_SCREENSHOTS=1)."""
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(target), full_page=full_page)  # type: ignore[attr-defined]
    if publish and os.environ.get("UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(target, SCREENSHOTS / target.name)


class Person:
    """One demo user in a browser context of their own."""

    def __init__(self, chromium: object, base: str, username: str, viewport: dict[str, int] = LAPTOP,
                 home: str = "/") -> None:
        self.base = base
        self.context = chromium.new_context(viewport=viewport, locale="zh-CN")  # type: ignore[attr-defined]
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.page.goto(f"{base}/login")
        self.page.fill("#username", username)
        self.page.fill("#password", "yikatong-demo")
        self.page.click("form button[type=submit]")
        self.page.wait_for_url(f"{base}{home}")

    def open_task(self, project: str, step: str) -> None:
        """Open a task from the home page by project and step."""
        self.page.goto(f"{self.base}/")
        row = self.page.locator("table.tasks tbody tr").filter(has_text=project).filter(has_text=step)
        row.get_by_role("link", name="办理").click()
        self.page.wait_for_url("**/tasks/*")  # loaded: the task page is read at once after this
        self.page.wait_for_selector("form[enctype], form[action^='/tasks/']")

    def fill(self, **values: str) -> None:
        """Type into text, number, date, money and textarea inputs by field name."""
        for name, value in values.items():
            self.page.fill(f'[name="{name}"]', value)

    def choose(self, **values: str) -> None:
        """Pick radio buttons or select options by field name and value."""
        for name, value in values.items():
            radio = self.page.locator(f'input[type=radio][name="{name}"][value="{value}"]')
            if radio.count():
                radio.check()
            else:
                self.page.select_option(f'select[name="{name}"]', value)

    def tick(self, *names: str) -> None:
        """Tick confirmation checkboxes."""
        for name in names:
            self.page.check(f'input[type=checkbox][name="{name}"]')

    def attach(self, name: str, filename: str) -> None:
        """Choose a PDF for a file field."""
        self.page.set_input_files(f'input[type=file][name="{name}"]',
                                  files=[{"name": filename, "mimeType": "application/pdf",
                                          "buffer": PDF + f"% {name}\n".encode()}])

    def submit(self) -> None:
        """Submit the task form and expect the task list with a confirmation."""
        self.page.get_by_role("button", name="提交", exact=True).click()
        self.page.wait_for_url(f"{self.base}/")
        expect(self.page.locator(".alert.success")).to_contain_text("已提交", use_inner_text=True)


def _declare(health: Person, title: str) -> None:
    health.page.get_by_role("link", name="申报新项目").click()
    health.page.wait_for_url("**/projects/new")
    expect(health.page.locator("#field-declaration_round"),
           "not January: supplementary").to_contain_text("年中追加申报", use_inner_text=True)
    health.choose(category="it.software", card_function="transit-bus")
    health.fill(project_name=title, budget="1,200,000", urgency_reason="配合年中上线计划，需追加申报。",
                project_description="在社保卡上加载公交乘车功能。", contact_person="张三",
                contact_phone="0512-53512345")
    health.choose(**{"budget_lines-0-line_category": "it.software", "budget_lines-1-line_category": "it.hardware"})
    health.fill(**{"budget_lines-0-line_item": "乘车码应用开发", "budget_lines-0-line_amount": "1000000",
                   "budget_lines-1-line_item": "闸机读卡模块", "budget_lines-1-line_amount": "200000"})
    health.attach("feasibility_report", "可行性研究报告.pdf")
    screenshot(health.page, "task-form", publish=True, full_page=True)
    health.page.set_viewport_size(TABLET)
    assert health.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(health.page, "task-form-tablet", full_page=True)
    health.page.set_viewport_size(LAPTOP)
    health.submit()


PLAN = "合作金融资金使用计划表"  # the title of a bank's plan in the task lists


def _plan(people: dict[str, Person], title: str) -> None:
    people["bdc_reviewer"].open_task(title, "可行性研究报告评审")
    people["bdc_reviewer"].choose(review_decision="approve")
    people["bdc_reviewer"].fill(approved_budget="1150000", review_opinion="可行，同意立项。")
    people["bdc_reviewer"].attach("review_report", "评审报告.pdf")
    people["bdc_reviewer"].submit()
    clerk = people["hrss_clerk"]
    clerk.open_task(title, "安排合作银行及计划金额")
    expect(clerk.page.locator('[name="plan_amount"]')).to_have_value("1,150,000.00")
    clerk.choose(bank="bank-icbc")
    clerk.fill(plan_remarks="2026年第一批")
    clerk.submit()
    clerk.open_task(PLAN, "填报资金使用计划表")  # the project is now a row of its bank's plan
    expect(clerk.page.locator(".plan-table")).to_contain_text("115", use_inner_text=True)
    clerk.submit()
    for username, task, field in (("hrss_reviewer", "审核资金使用计划表", "plan_review_decision"),
                                  ("hrss_head", "局负责人审签资金使用计划表", "plan_signoff_decision")):
        people[username].open_task(PLAN, task)
        people[username].choose(**{field: "approve"})
        people[username].submit()


def _contract(people: dict[str, Person], title: str) -> None:
    bank, clerk = people["icbc_user"], people["hrss_clerk"]
    bank.open_task(PLAN, "合作银行确认资金保障")
    bank.choose(funds_decision="confirm")
    bank.submit()
    clerk.open_task(title, "项目采购")
    clerk.choose(procurement_method="public_tender")
    clerk.fill(procurement_no="TCCG-2026-018", contractor="太仓某信息技术有限公司", contract_price="1000000",
               procurement_date="2026-04-10")
    clerk.submit()
    bank.open_task(title, "签订三方合同")
    bank.fill(contract_name="社保卡乘车码应用建设三方合同", contract_no="HT-2026-018", contract_date="2026-04-20")
    bank.tick("contract_signed")
    bank.submit()


def _acceptance(people: dict[str, Person], title: str) -> None:
    health = people["health_user"]
    health.open_task(title, "改造建设")
    health.fill(construction_start="2026-05-01", construction_end="2026-08-31")
    health.submit()
    health.open_task(title, "组织竣工验收")
    health.fill(acceptance_date="2026-09-10", acceptance_opinion="功能齐全，同意验收。")
    health.choose(acceptance_department_passed="true")
    health.submit()
    for username, task, who in (("bdc_reviewer", "综指中心验收签署", "bdc"),
                                ("hrss_reviewer", "市人社局验收签署", "hrss")):
        people[username].open_task(title, task)
        people[username].choose(**{f"acceptance_{who}_passed": "true"})
        people[username].fill(**{f"acceptance_{who}_opinion": "同意。"})
        people[username].submit()


def _payment(people: dict[str, Person], title: str) -> None:
    clerk, bank = people["hrss_clerk"], people["icbc_user"]
    clerk.open_task(title, "开具付款通知书")
    expect(clerk.page.locator('[name="notice_amount"]')).to_have_value("1,000,000.00")
    clerk.fill(notice_date="2026-09-15", invoice_no="INV-2026-0915")
    clerk.attach("invoice_file", "付款发票.pdf")
    clerk.submit()
    bank.open_task(title, "签收付款通知书和发票")
    bank.fill(received_on="2026-09-16")
    bank.submit()
    bank.open_task(title, "确认付款")
    bank.fill(paid_on="2026-09-20", payment_reference="TX0001")
    bank.submit()


def test_one_project_through_its_whole_life_in_the_browser(chromium: object, live_url: str,
                                                           services: Services) -> None:
    for department, name in (("transport_user", "社保卡公交线路补贴发放"), ("culture_user", "社保卡文旅惠民一卡通")):
        other = Journey(services, department)
        other.do(department, "declare", support.declare(other.sha, project_name=name))
    services.clock.at += timedelta(days=2)  # type: ignore[attr-defined]
    signing_in = chromium.new_page(viewport=LAPTOP)  # type: ignore[attr-defined]
    signing_in.goto(f"{live_url}/login")
    screenshot(signing_in, "sign-in", publish=True)
    signing_in.close()
    names = ("health_user", "bdc_reviewer", "hrss_clerk", "hrss_reviewer", "hrss_head", "icbc_user")
    people = {name: Person(chromium, live_url, name) for name in names}
    title = "社保卡乘车码应用"
    _declare(people["health_user"], title)
    people["bdc_reviewer"].page.goto(f"{live_url}/")
    screenshot(people["bdc_reviewer"].page, "task-list", publish=True)
    _plan(people, title)
    _contract(people, title)
    _acceptance(people, title)
    _payment(people, title)
    page = people["health_user"].page
    page.goto(f"{live_url}/projects/")
    page.get_by_role("link", name=title).click()
    page.wait_for_url(re.compile(r".*/projects/\d+$"))  # loaded: the text below is read once, not awaited
    text = page.locator("main").inner_text()
    assert "已完成" in text and "¥1,000,000.00" in text and "TX0001" in text
    assert "可行性研究报告.pdf" in text and "付款发票.pdf" in text
    screenshot(page, "project", publish=True, full_page=True)
    people["supervisor"] = Person(chromium, live_url, "supervisor", home="/dashboard/")
    people["supervisor"].page.goto(page.url)
    overseen = people["supervisor"].page.locator("main")
    assert "已完成" in overseen.inner_text() and overseen.get_by_role("link", name="办理").count() == 0
    for person in people.values():
        person.context.close()


def test_the_language_switches_between_chinese_and_english(chromium: object, live_url: str) -> None:
    context = chromium.new_context(viewport=LAPTOP)  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{live_url}/login")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.fill("#username", "icbc_user")
    page.fill("#password", "yikatong-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_url}/")
    expect(page.get_by_role("heading", name="My tasks")).to_be_visible()
    screenshot(page, "task-list-english")
    page.get_by_role("link", name="中文").click()
    expect(page.get_by_role("heading", name="我的待办")).to_be_visible()
    page.get_by_role("link", name="项目", exact=True).click()
    expect(page.get_by_role("heading", name="项目")).to_be_visible()
    context.close()


def test_a_file_over_the_limit_is_refused_on_its_field_before_the_form_is_sent(
        chromium: object, app: Flask, live_url: str) -> None:
    assert app.jinja_env.globals["max_upload_bytes"] == 20 * 1024 * 1024
    app.jinja_env.globals["max_upload_bytes"] = 4096  # the script reads the limit from the page
    health = Person(chromium, live_url, "health_user")
    health.page.goto(f"{live_url}/projects/new")
    health.fill(project_name="社保卡乘车码应用", contact_person="张三")
    field = 'input[type=file][name="feasibility_report"]'
    health.page.set_input_files(field, files=[{"name": "大文件.pdf", "mimeType": "application/pdf",
                                               "buffer": PDF + b"%" * 4096}])
    message = health.page.locator("#field-feasibility_report .field-error")
    expect(message).to_have_text("文件不能超过 20 MiB。", use_inner_text=True)
    sent: list[str] = []
    health.page.on("request", lambda request: sent.append(request.url) if request.method == "POST" else None)
    health.page.get_by_role("button", name="提交", exact=True).click()
    expect(health.page.locator(field)).to_be_focused()  # the script stopped the form and points at the file
    assert health.page.url == f"{live_url}/projects/new"
    expect(health.page.locator('[name="project_name"]')).to_have_value("社保卡乘车码应用")
    screenshot(health.page, "upload-too-large")
    health.attach("feasibility_report", "可行性研究报告.pdf")
    expect(message).to_have_count(0)
    assert sent == [], "the form was sent"
    health.context.close()


def _single_line(page: object, selector: str) -> list[str]:
    """Return the texts of *selector* that the browser broke over more than one line."""
    return page.evaluate(  # type: ignore[attr-defined,no-any-return]
        """selector => Array.from(document.querySelectorAll(selector)).filter(el => {
             const range = document.createRange(); range.selectNodeContents(el);
             const tops = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
             return tops.size > 1; }).map(el => el.textContent)""", selector)


def test_a_task_page_keeps_its_sidebar_short_and_money_on_one_line(chromium: object, live_url: str,
                                                                   services: Services) -> None:
    at_payment = Journey(services).to_payment()  # like demo project #4: the bank's payment is next
    at_payment.do("hrss_clerk", "payment_notice", support.notice("600000.00", sha=at_payment.sha))
    at_payment.do("icbc_user", "payment_receipt", support.receipt())
    bank = Person(chromium, live_url, "icbc_user")
    bank.open_task("社保卡乘车码应用", "确认付款")
    page = bank.page
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2500, f"the task page is {height} px tall"
    sidebar = page.locator("aside.context")
    expect(sidebar.locator(".timeline > li")).to_have_count(3)
    assert sidebar.get_by_text("项目申报", exact=True).count() == 0
    assert _single_line(page, "aside .money-text, aside td.money") == []
    screenshot(page, "task-payment", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert _single_line(page, "aside .money-text, aside td.money") == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size(LAPTOP)
    sidebar.get_by_role("link", name="完整办理经过").click()
    page.wait_for_url("**/projects/*#history")
    # start, 11 steps up to the receipt, joining its bank's plan and the plan's outcome
    expect(page.locator("#history .timeline > li")).to_have_count(14)
    bank.context.close()
    declared = Journey(services, "transport_user")
    declared.do("transport_user", "declare", support.declare(declared.sha, project_name="社保卡公交线路补贴发放"))
    reviewer = Person(chromium, live_url, "bdc_reviewer")
    reviewer.open_task("社保卡公交线路补贴发放", "可行性研究报告评审")
    widths = reviewer.page.eval_on_selector_all("aside .mini th, aside .mini td",
                                                "els => els.map(el => el.getBoundingClientRect().width)")
    assert widths and min(widths) >= 60, widths
    assert _single_line(reviewer.page, "aside td.money") == []
    reviewer.context.close()


def _clipped(page: object, selector: str) -> list[str]:
    """Return the texts of cells under *selector* that reach past the right edge of the window."""
    return page.evaluate(  # type: ignore[attr-defined,no-any-return]
        """selector => Array.from(document.querySelectorAll(selector))
             .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
             .map(el => el.textContent.trim())""", selector)


def test_lists_on_a_phone_show_whole_names_and_every_column(chromium: object, live_url: str,
                                                            services: Services) -> None:
    for department, name in (("health_user", "社保卡公共自行车租借服务"), ("health_user", "社保卡就医一码通")):
        j = Journey(services, department)
        j.do(department, "declare", support.declare(j.sha, project_name=name))
    Journey(services).to_payment()
    phone = Person(chromium, live_url, "hrss_clerk", PHONE)
    page = phone.page
    for url, name_cells in (("/projects/", "table.list tbody td.primary"), ("/", "table.tasks tbody td.primary")):
        page.goto(f"{live_url}{url}")
        widths = page.eval_on_selector_all(name_cells, "els => els.map(el => el.getBoundingClientRect().width)")
        assert widths and min(widths) >= 300, widths
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert _clipped(page, "table.list tbody td, table.list tbody td *") == []
        screenshot(page, f"phone-{'projects' if url != '/' else 'tasks'}", full_page=True)
    budgets = page.goto(f"{live_url}/projects/") and page.locator("td.money[data-label='预算']").all_inner_texts()
    assert any("核定预算" in b for b in budgets) and any("申报预算" in b for b in budgets)
    page.goto(f"{live_url}/?lang=en")
    switch = page.locator("a.lang-switch").bounding_box()
    assert switch and switch["height"] < 40, switch
    phone.context.close()


def test_line_items_on_a_phone_are_filled_in_one_row_at_a_time(chromium: object, live_url: str) -> None:
    health = Person(chromium, live_url, "health_user", PHONE)
    health.page.goto(f"{live_url}/projects/new")
    assert health.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert _clipped(health.page, "fieldset.lines input, fieldset.lines select") == []
    widths = health.page.eval_on_selector_all("fieldset.lines select, fieldset.lines input",
                                              "els => els.map(el => el.getBoundingClientRect().width)")
    assert min(widths) >= 250, widths
    cell = health.page.locator('td[data-label]:has([name="budget_lines-0-line_item"])')
    assert cell.evaluate("el => getComputedStyle(el, '::before').content") == '"明细内容 *"'
    screenshot(health.page, "phone-declaration", full_page=True)
    health.context.close()
