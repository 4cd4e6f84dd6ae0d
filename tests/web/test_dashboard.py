"""The dashboard and the audit log in the pages: who lands where, what they see, what they download."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from flask import Flask
from openpyxl import load_workbook

from services.calendar import admin as calendar_admin
from services.context import Services
from services.users import load_actor
from tests import support
from tests.services import samples
from tests.services.journey import Journey
from tests.web.site import Site, text_of
from web.pages.audit_details import describe


@pytest.fixture
def ids(services: Services) -> dict[str, int]:
    """The five sample projects; the clock on 30 November, after project #4's payment fell due."""
    seeded = samples.seed(services)
    samples.at(services, datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc))
    return seeded


@pytest.mark.parametrize("username", ["supervisor", "admin"])
def test_supervisors_and_administrators_land_on_the_dashboard(site: Site, username: str) -> None:
    home = site.user(username).get("/")
    assert (home.status_code, home.headers["Location"]) == (302, "/dashboard/")
    page = text_of(site.user(username).get("/dashboard/"))
    assert "总览" in page and "我的待办" not in page


@pytest.mark.parametrize("username", ["hrss_clerk", "hrss_head", "bdc_reviewer"])
def test_the_bureau_and_the_bdc_get_the_dashboard_as_a_tab(site: Site, username: str) -> None:
    user = site.user(username)
    home = user.get("/")
    assert home.status_code == 200
    assert 'href="/dashboard/"' in home.get_data(as_text=True)
    assert user.get("/dashboard/").status_code == 200
    assert "我的待办" in text_of(user.get("/dashboard/"))


@pytest.mark.parametrize("username", ["icbc_user", "health_user"])
def test_banks_and_departments_are_refused_the_dashboard_and_the_audit_log(site: Site, username: str) -> None:
    user = site.user(username)
    for url in ("/dashboard/", "/dashboard/export.csv", "/dashboard/export.xlsx", "/audit/", "/audit/export.csv"):
        assert user.get(url).status_code == 403, url
    assert 'href="/dashboard/"' not in user.get("/").get_data(as_text=True)


def test_the_dashboard_shows_counts_amounts_and_the_overdue_payment(site: Site, ids: dict[str, int]) -> None:
    page = text_of(site.user("supervisor").get("/dashboard/"))
    assert "5 办理中" in page and "1 逾期付款" in page and "2 资金支付" in page
    assert "¥6,000,000.00" in page and "¥4,600,000.00" in page and "¥3,000,000.00" in page
    assert "¥600,000.00" in page
    overdue = text_of(site.user("supervisor").get("/dashboard/?overdue=1"))
    assert "共 1 个项目符合条件" in overdue and "社保卡乘车码应用" in overdue and "社保卡公共自行车租借" not in overdue
    assert "2026年11月2日" in overdue


def test_the_list_filters_and_sorts_like_its_links_say(site: Site, ids: dict[str, int]) -> None:
    supervisor = site.user("supervisor")
    by_bank = text_of(supervisor.get("/dashboard/?bank=bank-abc"))
    assert "共 2 个项目符合条件" in by_bank and "社保卡文旅惠民一卡通" not in by_bank
    body = supervisor.get("/dashboard/?sort=contract_price&dir=asc").get_data(as_text=True)
    body = body[body.index('id="projects"'):]
    order = [body.index(f'href="/projects/{ids[n]}"') for n in ("contract", "payment", "second_payment", "plan")]
    assert order == sorted(order)
    assert 'aria-sort="ascending"' in body
    assert supervisor.get("/dashboard/?bank=bank-nowhere").status_code == 422


def test_the_list_downloads_as_csv_with_the_same_filters(site: Site, ids: dict[str, int]) -> None:
    response = site.user("hrss_head").get("/dashboard/export.csv?bank=bank-abc&sort=paid_total")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:3] == ["编号", "项目", "年度"]
    assert [(r[0], r[13]) for r in rows[1:]] == [(str(ids["second_payment"]), "600000.00"), (str(ids["plan"]), "0.00")]


def test_the_list_downloads_as_xlsx_with_exact_amounts(site: Site, ids: dict[str, int]) -> None:
    response = site.user("supervisor").get("/dashboard/export.xlsx?overdue=1")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == ids["payment"] and rows[1][1] == "社保卡乘车码应用"
    assert Decimal(str(rows[1][12])) == Decimal("1000000.00") and rows[1][18] == "是"


def test_a_name_that_looks_like_a_formula_stays_text_in_downloads(site: Site, services: Services) -> None:
    samples.at(services, samples.SEEDED_AT)
    j = Journey(services)
    j.do("health_user", "declare", support.declare(j.sha, project_name="=HYPERLINK(\"http://x\")"))
    rows = list(csv.reader(io.StringIO(site.user("supervisor").get("/dashboard/export.csv")
                                       .get_data(as_text=True)[1:])))
    assert rows[1][1] == "'=HYPERLINK(\"http://x\")"
    sheet = load_workbook(io.BytesIO(site.user("supervisor").get("/dashboard/export.xlsx").data)).active
    cell = sheet.cell(row=2, column=2)
    assert (cell.value, cell.data_type) == ("=HYPERLINK(\"http://x\")", "s")


def test_the_audit_log_shows_refusals_and_downloads(site: Site, ids: dict[str, int]) -> None:
    assert site.user("abc_user").get(f"/projects/{ids['payment']}").status_code == 404
    page = text_of(site.user("supervisor").get("/audit/?event=access_denied"))
    assert "拒绝访问：其他单位的对象" in page and "吴昊（农业银行）" in page and f"#{ids['payment']}" in page
    everything = text_of(site.user("admin").get("/audit/?user=health_user&from=2026-10-01&to=2026-10-01"))
    assert "办理环节" in everything and "刘洋（卫健委）" in everything and "陈静" not in everything
    download = site.user("admin").get("/audit/export.csv?organization=bank-abc")
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True)[1:])))
    assert rows[0][0] == "时间" and {r[1] for r in rows[1:]} == {"吴昊（农业银行）"}
    assert site.user("supervisor").get("/audit/?user=nobody").status_code == 422


@pytest.mark.parametrize("username", ["hrss_clerk", "hrss_head", "bdc_reviewer"])
def test_the_bureau_does_not_read_the_audit_log(site: Site, username: str) -> None:
    assert site.user(username).get("/audit/").status_code == 403


def _navigation(site: Site, username: str, url: str) -> list[str]:
    html = site.user(username).get(url).get_data(as_text=True)
    nav = html[html.index('<nav class="mainnav"'):html.index("</nav>")]
    return re.findall(r'href="([^"?]+)', nav)


@pytest.mark.parametrize(("username", "home", "links"), [
    ("supervisor", "/dashboard/", ["/dashboard/", "/projects/", "/models/", "/functions/", "/years/",
                                   "/allocations/", "/plans/", "/ledger/", "/reconciliations/", "/audit/"]),
    ("admin", "/dashboard/", ["/dashboard/", "/projects/", "/models/", "/functions/", "/years/", "/plans/", "/ledger/",
                              "/reconciliations/", "/audit/", "/admin/users"]),
    ("hrss_clerk", "/", ["/", "/dashboard/", "/projects/", "/functions/", "/years/", "/allocations/", "/plans/",
                         "/ledger/", "/reconciliations/"]),
    ("icbc_user", "/", ["/", "/projects/", "/functions/", "/years/", "/allocations/", "/plans/", "/ledger/",
                        "/reconciliations/"]),
    ("process_owner", "/models/", ["/", "/projects/", "/models/", "/functions/", "/years/"]),
])
def test_each_role_has_the_links_of_both_halves_and_the_notifications(site: Site, username: str, home: str,
                                                                      links: list[str]) -> None:
    landing = site.user(username).get("/")
    assert landing.status_code == 200 if home == "/" else landing.headers["Location"] == home
    assert _navigation(site, username, home) == links
    assert 'href="/notifications/"' in site.user(username).get(home).get_data(as_text=True)


def test_the_audit_log_names_the_actions_of_the_calendar_and_the_models(site: Site, services: Services) -> None:
    calendar_admin.add_override(services, load_actor(services, "admin"), "2026-10-20", False, "特别休息日", "测试")
    page = site.user("supervisor").get("/audit/?event=calendar_override_set")
    assert "工作日已人工调整" in text_of(page)
    assert '<option value="model_deployed"' in page.get_data(as_text=True)


def test_the_stage_filter_offers_only_the_stages_of_a_project(site: Site) -> None:
    page = site.user("supervisor").get("/dashboard/").get_data(as_text=True)
    stages = re.search(r'<select name="stage">(.*?)</select>', page, re.S)
    assert stages and 'value="procurement"' in stages.group(1) and 'value="payment"' in stages.group(1)
    assert "allocation" not in stages.group(1) and "reconciliation" not in stages.group(1)


def test_the_audit_log_details_read_as_names_and_money_not_as_stored_codes(site: Site, ids: dict[str, int]) -> None:
    page = text_of(site.user("supervisor").get("/audit/"))
    assert "中国农业银行太仓分行，计划金额 ¥1,150,000.00" in page
    assert "中国农业银行太仓分行 · 2026年第2号计划，计划金额 ¥1,150,000.00" in page
    assert "2026年度，资金总额 ¥30,000,000.00" in page and "已完成" in page
    for code in ("plan_instance_id", "plan_amount", "bank-abc", "process_id", "model_id", "pool:", "completed"):
        assert code not in page
    assert '<option value="plan_project_moved" >调整至其他资金使用计划表</option>' in \
        site.user("supervisor").get("/audit/").get_data(as_text=True), "every recorded action has a name"
    download = site.user("supervisor").get("/audit/export.csv").get_data(as_text=True)
    assert "2026年度，资金总额 ¥30,000,000.00" in download and "plan_amount" not in download
    english = text_of(site.user("supervisor").get("/audit/?lang=en"))
    assert "Explain a reconciliation difference" in english and "合作银行说明差异" not in english
    assert "icbc_user · ICBC Taicang Branch" in english and "icbc_user · 中国工商银行太仓分行" not in english


def test_the_audit_details_of_moves_rounds_timers_and_models_are_written_out(app: Flask) -> None:
    orgs = {"bank-abc": {"code": "bank-abc", "name": "中国农业银行太仓分行", "name_en": "ABC Taicang Branch"},
            "bank-icbc": {"code": "bank-icbc", "name": "中国工商银行太仓分行", "name_en": ""}}
    moved = {"event": "plan_project_moved", "data": {
        "project_id": 8, "name": "社保卡公共自行车租借", "amount": "1150000.00",
        "source": {"plan_id": 9, "bank": "bank-abc", "number": 2, "year": 2026},
        "target": {"plan_id": 18, "bank": "bank-icbc", "number": 1, "year": 2026}}}
    opened = {"event": "round_opened", "data": {"year": 2026, "round_id": 3, "name": "第二批",
                                                "opens_on": "2026-03-01", "closes_on": "2026-03-31"}}
    fired = {"event": "timer_fired", "data": {"timer": "payment_timer"}}
    deployed = {"event": "model_deployed", "data": {"process_id": "fund_project", "version": 2, "hash": "ab"}}
    with app.test_request_context("/audit/"):
        assert describe(moved, orgs) == ("社保卡公共自行车租借（¥1,150,000.00）：中国农业银行太仓分行 · 2026年第2号计划"
                                         " → 中国工商银行太仓分行 · 2026年第1号计划")
        assert describe(opened, orgs) == "第二批：2026年3月1日 – 2026年3月31日"
        assert describe(fired, orgs) == "付款期限已到（逾期）"
        assert describe(deployed, orgs) == "fund_project · 第2版"
