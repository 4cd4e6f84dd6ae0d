"""Words on the pages: each label names what it labels, and codes are shown as the names people know."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from services.context import Services
from services.instances import show_instance
from tests.services import plan_world as world, reconciliation_helpers as rec, samples
from tests.services.journey import Journey
from tests.web.site import Site, text_of


def _label(html: str, field_id: str) -> str:
    """Return the text of the label of the field with id *field_id*."""
    found = re.search(rf'<label for="{re.escape(field_id)}"[^>]*>(.*?)</label>', html, flags=re.S)
    assert found, f"no label for {field_id}"
    return re.sub(r"<[^>]+>", "", found.group(1)).replace("*", "").strip()


def test_a_function_a_round_and_a_holiday_are_not_asked_for_a_persons_name(site: Site) -> None:
    clerk = site.user("hrss_clerk")
    functions = clerk.get("/functions/").get_data(as_text=True)
    assert _label(functions, "fn-name") == "功能名称" and "<th>功能名称</th>" in functions
    assert "姓名" not in functions
    year = clerk.get("/years/2026").get_data(as_text=True)
    assert _label(year, "new-name") == "批次名称" and "姓名" not in year
    calendar = site.user("admin").get("/admin/calendar?year=2026").get_data(as_text=True)
    assert _label(calendar, "name") == "节假日" and "<th>节假日</th>" in calendar and "姓名" not in calendar
    users = site.user("admin").get("/admin/users").get_data(as_text=True)
    assert "<th>姓名</th>" in users, "a user's name stays 姓名"


def test_english_pages_name_departments_and_banks_in_english(site: Site, services: Services) -> None:
    samples.seed(services)
    clerk = site.user("hrss_clerk")
    functions = text_of(clerk.get("/functions/?lang=en"))
    assert "Taicang Health Commission" in functions and "太仓市卫生健康委员会" not in functions
    allocations = text_of(clerk.get("/allocations/?lang=en"))
    assert "ICBC Taicang Branch ¥9,892,863.86" in allocations
    assert "中国工商银行太仓分行" not in allocations and "；" not in allocations
    chinese = text_of(clerk.get("/functions/?lang=zh"))
    assert "太仓市卫生健康委员会" in chinese and "Taicang Health Commission" not in chinese


def test_english_counts_of_one_are_singular(site: Site, services: Services) -> None:
    samples.seed(services)
    samples.at(services, datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc))  # one payment overdue
    supervisor = site.user("supervisor")
    assert "共 1 个项目符合条件。" in text_of(supervisor.get("/dashboard/?overdue=1"))
    english = text_of(supervisor.get("/dashboard/?overdue=1&lang=en"))
    assert "1 project matches." in english and "1 projects" not in english
    listed = text_of(supervisor.get("/projects/?q=社保卡就医一码通&lang=en"))
    assert "1 project " in listed and "1 projects" not in listed


def test_a_task_of_a_project_with_one_step_says_step_in_english(site: Site, services: Services) -> None:
    world.fix_allocation(services)
    plan = world.join(services, world.reviewed(services, "社保卡乘车码应用", "820000.00"), "bank-icbc", "820000.00")
    (task,) = [t["id"] for t in show_instance(services, None, plan)["open_tasks"]]
    clerk = site.user("hrss_clerk")
    assert "完整办理经过（共 1 步）" in text_of(clerk.get(f"/tasks/{task}"))
    english = text_of(clerk.get(f"/tasks/{task}?lang=en"))
    assert "The whole history (1 step)" in english and "1 steps" not in english


def _crumbs(html: str) -> str:
    found = re.search(r'<nav class="crumbs"[^>]*>(.*?)</nav>', html, flags=re.S)
    assert found, "the page has no breadcrumbs"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()


def test_the_new_declaration_page_sits_under_projects_as_the_navigation_says(site: Site) -> None:
    page = site.user("health_user").get("/projects/new").get_data(as_text=True)
    assert _crumbs(page).startswith("项目 ›"), _crumbs(page)
    assert "我的待办" not in _crumbs(page)
    assert '<a href="/projects/">项目</a>' in page.split('class="crumbs"', 1)[1].split("</nav>", 1)[0]
    assert re.search(r'href="/projects/"\s+aria-current="page"', page), "the navigation highlights 项目"


def _started(html: str) -> dict[int, str]:
    """Return the action shown for each instance in an audit log page."""
    rows = re.findall(r'<td>([^<]*)</td>\s*<td><a href="/projects/(\d+)"', html)
    return {int(instance): what.strip() for what, instance in rows}


def test_only_a_fund_project_is_started_as_a_declaration(site: Site, services: Services, journey: Journey) -> None:
    rec.fix_allocation(services)
    run = rec.start(services)
    supervisor = site.user("supervisor")
    log = supervisor.get("/audit/?event=instance_started").get_data(as_text=True)
    allocation = max(set(_started(log)) - {journey.instance_id, run})  # fix_allocation ran an allocation
    assert _started(log) == {journey.instance_id: "发起申报", run: "发起对账", allocation: "发起流程"}
    english = supervisor.get("/audit/?event=instance_started&lang=en").get_data(as_text=True)
    assert _started(english) == {journey.instance_id: "Project started", run: "Reconciliation started",
                                 allocation: "Process started"}
    history = text_of(site.user("hrss_clerk").get(f"/projects/{run}"))
    assert "发起对账" in history and "发起申报" not in history
    assert "发起申报" in text_of(site.user("health_user").get(f"/projects/{journey.instance_id}"))
