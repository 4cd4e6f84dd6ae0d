"""The ledger page and its downloads: who sees it, which rows, the same totals in CSV and XLSX; a payment above the price."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert, select

from models.tables import organization, payment
from services.context import Services
from tests import support
from tests.money import ledger_world
from tests.services.journey import Journey
from tests.web.site import Site, posted, text_of


@pytest.fixture
def world(services: Services) -> None:
    ledger_world.build(services)


@pytest.mark.parametrize("username", ["hrss_clerk", "hrss_head", "bdc_reviewer", "supervisor", "admin"])
def test_the_bureau_bdc_supervisors_and_administrators_see_every_bank(site: Site, world: None, username: str) -> None:
    page = text_of(site.user(username).get("/ledger/?year=2026"))
    assert "台账" in page and "中国工商银行" in page and "中国农业银行" in page and "太仓农村商业银行" in page
    assert "2026年合计 ¥10,000,000.00 ¥2,300,000.00 ¥1,000,000.00 ¥600,000.00 ¥7,700,000.00 ¥1,700,000.00" in page


def test_a_bank_sees_its_own_rows_only_on_the_page_and_in_downloads(site: Site, world: None) -> None:
    user = site.user("abc_user")
    page = text_of(user.get("/ledger/?year=2026"))
    assert "中国农业银行" in page and "中国工商银行" not in page and "太仓农村商业银行" not in page
    assert "¥3,100,000.00" in page and "¥5,200,000.00" not in page
    rows = list(csv.reader(io.StringIO(user.get("/ledger/export.csv?year=2026").get_data(as_text=True)[1:])))
    assert {r[1] for r in rows[1:]} == {"中国农业银行太仓分行"}
    assert "5200000.00" not in str(rows)


def test_departments_may_not_open_the_ledger(site: Site) -> None:
    user = site.user("health_user")
    for url in ("/ledger/", "/ledger/export.csv", "/ledger/export.xlsx"):
        assert user.get(url).status_code == 403, url
    assert 'href="/ledger/"' not in user.get("/").get_data(as_text=True)


def test_the_downloads_have_the_page_rows_and_totals(site: Site, world: None) -> None:
    response = site.user("supervisor").get("/ledger/export.csv?year=2026")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True)[1:])))
    assert rows[0] == ["年度", "合作银行", "费用类别", "分配额度", "已列入计划", "已签合同", "已付", "剩余额度", "已计划未支付"]
    assert ["2026", "中国工商银行太仓分行", "信息化项目：软件费用", "", "1150000.00", "1000000.00", "600000.00", "", "550000.00"] in rows
    assert rows[-1] == ["2026", "全部银行", "年度合计", "10000000.00", "2300000.00", "1000000.00", "600000.00",
                        "7700000.00", "1700000.00"]
    sheet = load_workbook(io.BytesIO(site.user("hrss_head").get("/ledger/export.xlsx?year=2026").data)).active
    cells = list(sheet.iter_rows(values_only=True))
    assert cells[-1][:3] == (2026, "全部银行", "年度合计")
    assert [Decimal(str(v)) for v in cells[-1][3:]] == [Decimal(v) for v in (
        "10000000", "2300000", "1000000", "600000", "7700000", "1700000")]


def test_the_page_reads_in_english_too(site: Site, world: None) -> None:
    page = text_of(site.user("supervisor").get("/ledger/?year=2026&lang=en"))
    assert "Ledger" in page and "Remaining allocation" in page and "Bank total" in page


def test_a_payment_above_what_is_left_of_the_price_is_answered_in_the_form(site: Site, services: Services,
                                                                          journey: Journey) -> None:
    journey.to_payment().notice_received("1000000.00")
    with services.db.write() as conn:  # paid meanwhile outside the process, which cannot see it
        conn.execute(insert(payment).values(
            instance_id=journey.instance_id, bank_org_id=conn.execute(select(organization.c.id).where(
                organization.c.code == "bank-icbc")).scalar_one(), instalment=9, amount=Decimal("0.01"),
            notice_date=date(2026, 9, 15), paid_on=date(2026, 9, 20), reference="OUTSIDE",
            recorded_at=datetime(2026, 9, 20), recorded_by=1))
    url = f"/tasks/{journey.task_id('payment')}"
    response = site.user("icbc_user").post(url, posted(support.paid(reference="TX-NEW")), token_from=url)
    assert response.status_code == 422
    assert "本合同的付款合计将超过合同金额 ¥1,000,000.00（已支付 ¥0.01）" in text_of(response)
    assert journey.open_names() == ["payment"]
