"""Real-browser journeys of the diagrams: a project page draws its state, a process owner edits, checks,
deploys and migrates in the modeler (Debian's Chromium through Playwright; screenshots kept)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from services.context import Services
from services.instances import show_instance
from tests import diagrams, support
from tests.frontend.build import built
from tests.services.journey import Journey
from tests.web.site import PDF
from tests.web.test_browser import (LAPTOP, chromium, expect, live_url, playwright_sync,  # noqa: F401  (fixtures)
                                    screenshot)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", autouse=True)
def bundle() -> None:
    """The diagram widgets, built from frontend/."""
    built()


class Watched:
    """A demo user signed in in a browser of their own, its console watched for errors (CSP refusals too)."""

    def __init__(self, browser: Any, base: str, username: str) -> None:
        self.context = browser.new_context(viewport=LAPTOP, locale="zh-CN")
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(f"{base}/login")
        self.page.fill("#username", username)
        self.page.fill("#password", "yikatong-demo")
        self.page.click("form button[type=submit]")
        self.page.wait_for_url(lambda url: "/login" not in url)
        self.page.wait_for_load_state()


def wait_for_diagram(page: Any) -> None:
    page.wait_for_selector("[data-bpmn-diagram][data-loaded='true']")


def test_a_project_page_draws_its_diagram_with_its_state(
        chromium: Any, live_url: str, services: Services) -> None:  # noqa: F811 - the fixtures
    journey = Journey(services).to_payment()
    journey.do("hrss_clerk", "payment_notice", support.notice(support.PROCUREMENT["contract_price"], sha=journey.sha))
    journey.do("icbc_user", "payment_receipt", support.receipt())
    due = show_instance(services, None, journey.instance_id)["open_tasks"][0]["due"]
    services.clock.at = datetime.fromisoformat(due) + timedelta(days=1)  # type: ignore[attr-defined]
    bank = Watched(chromium, live_url, "icbc_user")
    bank.page.goto(f"{live_url}/projects/{journey.instance_id}")
    wait_for_diagram(bank.page)
    canvas = bank.page.locator(".diagram-canvas")
    assert canvas.locator('.djs-element.state-completed[data-element-id="declare"]').count() == 1
    assert canvas.locator('.djs-element.state-overdue[data-element-id="payment"]').count() == 1
    assert canvas.locator('.djs-element.state-waiting[data-element-id="payment_timer"]').count() == 1
    assert canvas.locator('.djs-connection.state-path[data-element-id="flow_payment_due"]').count() == 1
    assert canvas.locator('.djs-connection.state-path[data-element-id="flow_review_reject"]').count() == 0
    stroke = bank.page.evaluate("""() => getComputedStyle(document.querySelector(
        '.djs-element.state-overdue[data-element-id="payment"] .djs-visual > rect')).stroke""")
    assert stroke == "rgb(198, 40, 40)"
    bank.page.get_by_role("button", name="适合窗口").click()
    canvas.locator('.djs-element[data-element-id="declare"]').click()
    details = bank.page.locator(".diagram-details")
    expect(details).to_contain_text("刘洋（卫健委）", use_inner_text=True)
    expect(details).to_contain_text("已完成", use_inner_text=True)
    canvas.locator('.djs-element[data-element-id="payment"]').click()
    expect(details).to_contain_text("已逾期", use_inner_text=True)
    bank.page.locator("#diagram").scroll_into_view_if_needed()
    screenshot(bank.page, "project-diagram", publish=True)
    assert bank.errors == []
    bank.context.close()


def _center(page: Any, selector: str) -> tuple[float, float]:
    box = page.locator(selector).bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def _drop_user_task_on_flow(page: Any, flow: str) -> None:
    """Zoom in on a sequence flow, drop a new task on it from the palette and make it a user task."""
    flow_selector = f'.djs-connection[data-element-id="{flow}"]'
    x, y = _center(page, flow_selector)
    page.mouse.move(x, y)
    page.keyboard.down("Control")
    for _ in range(6):
        page.mouse.wheel(0, -200)
        page.wait_for_timeout(80)
    page.keyboard.up("Control")
    connections = page.locator(".djs-connection").count()
    page.click('.djs-palette .entry[data-action="create.task"]')
    x, y = _center(page, flow_selector)
    page.mouse.move(x - 40, y - 20, steps=5)
    page.mouse.move(x, y, steps=5)
    page.mouse.click(x, y)
    expect(page.locator(".djs-connection")).to_have_count(connections + 1)  # the flow was split around the task
    for _ in range(3):  # the first click may only move the focus into the canvas
        page.locator('.djs-context-pad.open .entry[data-action="replace"]').click()
        try:
            page.locator(".djs-popup").wait_for(state="attached", timeout=1_000)
            break
        except playwright_sync.TimeoutError:
            pass
    page.click('.djs-popup [data-id="replace-with-user-task"]')
    page.wait_for_selector(".bio-properties-panel-header-type:has-text('用户任务')")


def _set_properties(page: Any, **values: str) -> None:
    for group in ("general", "yikatong-form"):  # 常规, 表单与阶段
        header = page.locator(f'[data-group-id="group-{group}"] .bio-properties-panel-group-header')
        if "open" not in (header.get_attribute("class") or ""):
            header.click()
    for entry, value in values.items():
        field = page.locator(f"#bio-properties-panel-{entry}")
        field.fill(value)
        field.press("Tab")
    page.wait_for_timeout(400)


def _check(page: Any) -> Any:
    report = page.locator(".validation-report")
    report.evaluate("node => node.removeAttribute('data-report-ok')")
    page.get_by_role("button", name="检查", exact=True).click()
    page.wait_for_selector(".validation-report[data-report-ok]")
    return report


def test_a_process_owner_edits_checks_deploys_and_migrates_in_the_browser(
        chromium: Any, live_url: str, services: Services) -> None:  # noqa: F811 - the fixtures
    old = Journey(services)
    old.do("health_user", "declare", support.declare(old.sha, project_name="社保卡图书借阅"))
    owner = Watched(chromium, live_url, "process_owner")
    page = owner.page
    assert page.url == f"{live_url}/models/"
    page.get_by_role("link", name="一卡通合作金融资金项目").click()
    page.get_by_role("link", name="在建模器中编辑第 1 版").click()
    page.wait_for_selector("[data-modeler][data-loaded='true']")
    assert page.locator("[data-modeler]").get_attribute("data-warnings") == "0"
    _drop_user_task_on_flow(page, "flow_assign_bank")
    _set_properties(page, id="plan_publish", name="计划公示", **{"yikatong-form-file": "plan_publish.json",
                                                                 "yikatong-stage": "plan"})
    screenshot(page, "modeler")
    report = _check(page)
    assert report.get_attribute("data-report-ok") == "false"
    rows = report.locator("tbody tr")
    assert rows.count() == 1 and rows.first.get_attribute("data-rule") == "form-missing"
    assert "plan_publish" in rows.first.inner_text() and "计划公示" in rows.first.inner_text()
    report.scroll_into_view_if_needed()
    screenshot(page, "modeler-report", publish=True)

    page.fill('input[name="new_form_name"]', "plan_publish.json")
    page.get_by_role("button", name="添加表单").click()
    editor = page.locator('.form-editor[data-form-name="plan_publish.json"]')
    editor.locator("textarea.form-json").fill("{ not json")
    page.wait_for_selector('.form-editor[data-form-name="plan_publish.json"][data-json="invalid"]')
    expect(editor.locator(".form-json-error")).to_contain_text("JSON 格式错误", use_inner_text=True)
    editor.locator("textarea.form-json").fill(json.dumps(diagrams.PUBLISH_FORM, ensure_ascii=False, indent=2))
    editor.locator(".form-preview input[type=date][name='published_on']").wait_for()
    expect(editor.locator(".form-preview")).to_contain_text("公示日期", use_inner_text=True)
    editor.scroll_into_view_if_needed()
    screenshot(page, "modeler-form", publish=True)
    assert _check(page).get_attribute("data-report-ok") == "true"
    page.get_by_role("button", name="部署为新版本").click()
    page.wait_for_url("**/models/fund_project?version=2")
    assert "fund_project 的第 2 版已部署" in page.locator(".alert.success").inner_text()
    assert "周明（流程管理员）" in page.locator("table.versions").inner_text()

    health = Watched(chromium, live_url, "health_user")
    _declare_briefly(health.page, live_url)
    newest = max(r["instance_id"] for r in _projects(services))
    assert show_instance(services, None, newest)["model_version"] == 2
    assert show_instance(services, None, old.instance_id)["model_version"] == 1

    page.get_by_role("link", name="迁移运行中的项目").click()
    row = page.locator(f'tr[data-instance="{old.instance_id}"]')
    expect(row).to_have_attribute("data-ok", "true")
    expect(row).to_contain_text("可以迁移", use_inner_text=True)
    page.get_by_role("button", name="迁移可迁移的 1 个项目").click()
    page.wait_for_selector(".migration-report:has-text('迁移结果')")
    expect(row).to_contain_text("已迁移", use_inner_text=True)
    screenshot(page, "migration", publish=True)
    assert show_instance(services, None, old.instance_id)["model_version"] == 2
    health.page.goto(f"{live_url}/projects/{old.instance_id}")
    wait_for_diagram(health.page)
    assert health.page.locator('.djs-element[data-element-id="plan_publish"]').count() == 1
    assert "迁移到新版本流程" in health.page.locator("main").inner_text()
    assert owner.errors == [] and health.errors == []
    owner.context.close()
    health.context.close()


def _declare_briefly(page: Any, base: str) -> None:
    """Declare a project from the home page with the fewest fields the form needs."""
    page.get_by_role("link", name="申报新项目").click()
    page.wait_for_url("**/projects/new")
    page.select_option('select[name="category"]', "it.software")
    page.select_option('select[name="card_function"]', "transit-bus")
    for name, value in {"project_name": "社保卡新版本试点", "budget": "100000", "contact_person": "张三",
                        "contact_phone": "0512-53512345", "urgency_reason": "新版流程试点。"}.items():
        page.fill(f'[name="{name}"]', value)
    page.set_input_files('input[type=file][name="feasibility_report"]',
                        files=[{"name": "可行性研究报告.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url(f"{base}/")


def _projects(services: Services) -> list[dict[str, Any]]:
    from services.projects import ProjectFilter, list_projects
    from services.users import load_actor

    return list_projects(services, load_actor(services, "supervisor"), ProjectFilter(), page=1, per_page=50)["items"]


def _open_groups(page: Any) -> None:
    for header in page.locator(".bio-properties-panel-group-header").all():
        if "open" not in (header.get_attribute("class") or ""):
            header.click()


def test_the_properties_panel_edits_roles_conditions_and_timers(
        chromium: Any, live_url: str) -> None:  # noqa: F811 - the fixtures
    owner = Watched(chromium, live_url, "process_owner")
    page = owner.page
    page.goto(f"{live_url}/models/fund_project/1/edit")
    page.wait_for_selector("[data-modeler][data-loaded='true']")
    lane = page.locator('.djs-element[data-element-id="Lane_bank"]')
    role = page.locator("#bio-properties-panel-yikatong-lane-role")
    lane.click(position={"x": 12, "y": lane.bounding_box()["height"] / 2})
    role.wait_for(state="attached")  # the panel shows the lane: now open its groups
    _open_groups(page)
    expect(role).to_have_value("bank")
    expect(role).to_contain_text("合作银行 (bank)", use_inner_text=True)
    role.select_option("")
    condition = page.locator("#bio-properties-panel-yikatong-condition-expression")
    page.locator('.djs-element[data-element-id="flow_review_approve_label"]').click()
    condition.wait_for(state="attached")
    _open_groups(page)
    expect(condition).to_have_value('review_decision == "approve"')
    condition.fill("review_decision == __import__('os')")
    condition.press("Tab")
    timer_kind = page.locator("#bio-properties-panel-yikatong-timer-kind")
    page.locator('.djs-element[data-element-id="payment_timer"]').click()
    timer_kind.wait_for(state="attached")
    _open_groups(page)
    expect(timer_kind).to_have_value("timeDate")
    expect(page.locator("#bio-properties-panel-yikatong-timer-expression")).to_have_value('payment_due["timer"]')
    page.wait_for_timeout(400)
    report = _check(page)
    found = {(row.get_attribute("data-rule"), row.locator("td").first.inner_text())
             for row in report.locator("tbody tr").all()}
    assert found == {("lane-role", "Lane_bank"), ("unsafe-expression", "flow_review_approve")}
    assert owner.errors == []
    owner.context.close()
