"""The plans pages: per bank figures and tables in exact 万元, who sees what, and the bureau's moves."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from services.context import Services
from services.instances import show_instance
from tests import support
from tests.services import plan_world as world, samples
from tests.web.test_page_queries import counting
from tests.web.site import Site, text_of


@pytest.fixture
def plans(services: Services) -> dict[str, int]:
    world.fix_allocation(services)
    a = world.reviewed(services, "社保卡乘车码应用", "820000.00")
    b = world.reviewed(services, "社保卡就医一码通", "1234.56")
    icbc = world.join(services, a, "bank-icbc", "820000.00", "首期")
    world.join(services, b, "bank-icbc", "1234.56")
    c = world.reviewed(services, "社保卡文旅惠民一卡通", "300000.00")
    abc = world.join(services, c, "bank-abc", "300000.00")
    services.clock.at += timedelta(hours=1)  # type: ignore[attr-defined]
    return {"a": a, "b": b, "c": c, "icbc": icbc, "abc": abc}


@pytest.mark.parametrize("username", ["hrss_clerk", "hrss_head", "supervisor"])
def test_the_bureau_and_supervisors_see_every_banks_plan_in_exact_wan(site: Site, plans: dict[str, int],
                                                                        username: str) -> None:
    response = site.user(username).get("/plans/?year=2026")
    page = text_of(response)
    assert response.status_code == 200 and 'href="/plans/"' in response.get_data(as_text=True)
    assert "资金使用计划" in page and "中国工商银行" in page and "中国农业银行" in page
    assert "序号 项目名称 预算金额（万元） 备注" in page
    assert "1 社保卡乘车码应用 82 ¥820,000.00 首期" in page
    assert "2 社保卡就医一码通 0.123456 ¥1,234.56" in page
    assert "合计 82.123456 ¥821,234.56" in page
    # icbc: allocation 520,000; nothing signed; 821,234.56 in draft; difference −301,234.56
    assert "52 ¥520,000.00 0 ¥0.00 82.123456 ¥821,234.56 -30.123456 -¥301,234.56" in page
    assert "¥-" not in page


def test_a_bank_sees_only_its_own_plans_and_not_another_banks_plan_page(site: Site, plans: dict[str, int]) -> None:
    user = site.user("abc_user")
    page = text_of(user.get("/plans/?year=2026"))
    assert "中国农业银行" in page and "社保卡文旅惠民一卡通" in page
    assert "中国工商银行" not in page and "社保卡乘车码应用" not in page
    assert "移至" not in page and "建议分配" not in page
    assert user.get(f"/plans/{plans['abc']}").status_code == 200
    assert user.get(f"/plans/{plans['icbc']}").status_code == 404
    assert user.get(f"/projects/{plans['abc']}").status_code == 200  # the plan's process page


def test_the_plan_page_links_its_process_and_shows_its_table(site: Site, plans: dict[str, int]) -> None:
    response = site.user("hrss_head").get(f"/plans/{plans['icbc']}")
    page = text_of(response)
    assert f'href="/projects/{plans["icbc"]}"' in response.get_data(as_text=True)
    assert "2026年第1号计划" in page and "合计 82.123456 ¥821,234.56" in page
    assert "局负责人签批后出具计划表" in page


def test_departments_may_not_open_the_plans(site: Site, plans: dict[str, int]) -> None:
    user = site.user("health_user")
    assert user.get("/plans/").status_code == 403
    assert user.get(f"/plans/{plans['icbc']}").status_code == 403
    assert 'href="/plans/"' not in user.get("/").get_data(as_text=True)


def test_the_bureau_moves_a_project_and_the_figures_follow(site: Site, plans: dict[str, int]) -> None:
    clerk = site.user("hrss_clerk")
    response = clerk.post(f"/plans/{plans['icbc']}/moves", {"project_id": plans["b"], "target_bank": "bank-abc",
                                                            "year": "2026"}, token_from="/plans/?year=2026")
    assert response.status_code == 302
    page = text_of(clerk.get(response.headers["Location"]))
    assert "已移至" in page
    assert "合计 82 ¥820,000.00" in page and "合计 30.123456 ¥301,234.56" in page


def test_a_refused_move_shows_why_on_the_page_and_changes_nothing(site: Site, services: Services,
                                                                 plans: dict[str, int]) -> None:
    clerk = site.user("hrss_clerk")
    world.advance(services, plans["abc"], "review", "bank-abc")
    response = clerk.post(f"/plans/{plans['icbc']}/moves", {"project_id": plans["b"], "target_plan_id": plans["abc"],
                                                            "year": "2026"}, token_from="/plans/?year=2026")
    assert response.status_code == 409
    page = text_of(response)
    assert "目标计划已不是草稿" in page
    assert "合计 82.123456 ¥821,234.56" in page


def test_only_the_bureau_clerk_may_move_and_a_move_needs_the_csrf_token(site: Site, plans: dict[str, int]) -> None:
    head = site.user("hrss_head")
    assert head.post(f"/plans/{plans['icbc']}/moves", {"project_id": plans["b"], "target_bank": "bank-abc"},
                     token_from="/plans/?year=2026").status_code == 403
    clerk = site.user("hrss_clerk")
    assert clerk.client.post(f"/plans/{plans['icbc']}/moves",
                             data={"project_id": plans["b"], "target_bank": "bank-abc"}).status_code == 400
    assert "合计 82.123456 ¥821,234.56" in text_of(clerk.get("/plans/?year=2026"))


def test_the_bureau_sees_the_proposal_and_applies_one_move(site: Site, plans: dict[str, int]) -> None:
    clerk = site.user("hrss_clerk")
    page = text_of(clerk.get("/plans/?year=2026"))
    assert "建议分配" in page
    # 820,000 stays with icbc (520,000 left, the most); 300,000 → abc (310,000); 1,234.56 → trcb (170,000)
    assert "社保卡就医一码通 0.123456 ¥1,234.56 中国工商银行太仓分行 江苏太仓农村商业银行" in page
    assert "社保卡文旅惠民一卡通" not in page.split("建议分配")[1]


@pytest.mark.parametrize(("lang", "shown"), [
    ("zh", "计划表合计 ¥1,234.50 超出该行 2026 年剩余分配额度 -¥301,234.56：同意须填写理由。"),
    ("en", "The plan's total of ¥1,234.50 exceeds the bank's remaining allocation of -¥301,234.56 for 2026"),
])
def test_a_sign_off_above_a_negative_remaining_allocation_shows_both_amounts_formatted(
        site: Site, services: Services, lang: str, shown: str) -> None:
    world.fix_allocation(services)
    plan_id = world.second_plan_at_signoff(services)
    (signoff,) = show_instance(services, None, plan_id)["open_tasks"]
    url = f"/tasks/{signoff['id']}?lang={lang}"
    response = site.user("hrss_head").post(url, support.decision("plan_signoff"), token_from=url)
    assert response.status_code == 422
    page = text_of(response)
    assert shown in page and "¥-" not in page and "301234.56" not in page


def test_the_plans_page_shows_twenty_plans_and_page_two_the_rest(site: Site, services: Services,
                                                                  plans: dict[str, int]) -> None:
    world.empty_plans(services, 21)  # with icbc's and abc's: 23 plans, abc, icbc, then trcb 第1号–第21号
    clerk = site.user("hrss_clerk")
    first = text_of(clerk.get("/plans/?year=2026"))
    assert "第 1 页，共 2 页" in first and "下一页" in first
    assert "中国工商银行" in first and "2026年第18号" in first and "2026年第19号" not in first
    assert "-¥301,234.56" in first and "建议分配" in first
    response = clerk.get("/plans/?year=2026&page=2")
    second = text_of(response)
    assert response.status_code == 200 and "第 2 页，共 2 页" in second and "上一页" in second
    assert 'href="/plans/?page=1&amp;year=2026"' in response.get_data(as_text=True), "the pager keeps the year"
    assert all(f"2026年第{n}号" in second for n in (19, 20, 21)) and "2026年第18号" not in second
    assert "中国工商银行" not in second.split("建议分配")[0], "icbc's plan is on page 1"
    assert "江苏太仓农村商业银行" in second and "建议分配" in second, "figures and proposal stay on every page"
    for wrong in ("abc", "0", "-1", "99999999"):
        answer = clerk.get(f"/plans/?year=2026&page={wrong}")
        assert answer.status_code == 200 and "第 1 页，共 2 页" in text_of(answer), wrong
    assert "第 2 页，共 2 页" in text_of(clerk.get("/plans/?year=2026&page=7")), "past the last page: the last"
    with counting(services) as last:
        clerk.get("/plans/?year=2026&page=2")
    with counting(services) as past:
        clerk.get("/plans/?year=2026&page=7")
    assert past.statements == last.statements, "a page past the last is read once, as the last"


def test_an_issued_plan_table_names_its_version_as_the_project_pages_do(site: Site, services: Services) -> None:
    samples.seed(services)
    user = site.user("abc_user")
    index = user.get("/plans/?year=2026").get_data(as_text=True)
    pages = [text_of(user.get(url)) for url in sorted(set(re.findall(r'href="(/plans/\d+)"', index)))]
    issued = [page for page in pages if "资金使用计划表（附件1）" in page]
    assert issued and all("资金使用计划表（附件1） 第1版" in page and " v1" not in page for page in issued)
