"""Waiting times as people read them: minutes, hours and days, from any time zone the clock reports."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from flask import Flask

from web.pages import i18n
from services.errors import FieldError
from services.money.text import money_text
from services.plans.process import OVERRIDE_NEEDED
from web.pages.formatting import instance_title, money, period_text, total, waited
from web.pages.messages import field_message

ARRIVED = datetime(2026, 11, 30, 2, 18, tzinfo=timezone.utc)


@pytest.fixture
def app() -> Flask:
    """The pages' language set-up alone: no database is needed to format a time."""
    app = Flask("web.app")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = "translations"
    i18n.init_app(app)
    return app


@pytest.mark.parametrize(("after", "chinese", "english"), [
    (timedelta(0), "刚刚到达", "Just arrived"),
    (timedelta(seconds=59), "刚刚到达", "Just arrived"),
    (timedelta(minutes=1), "已等待 1 分钟", "Waited 1 minute"),
    (timedelta(minutes=27), "已等待 27 分钟", "Waited 27 minutes"),
    (timedelta(minutes=59, seconds=59), "已等待 59 分钟", "Waited 59 minutes"),
    (timedelta(hours=1), "已等待 1 小时", "Waited 1 hour"),
    (timedelta(hours=23, minutes=59), "已等待 23 小时", "Waited 23 hours"),
    (timedelta(days=1), "已等待 1 天", "Waited 1 day"),
    (timedelta(days=3, hours=5), "已等待 3 天", "Waited 3 days"),
])
def test_the_waiting_time_counts_minutes_hours_and_days(app: Flask, after: timedelta, chinese: str,
                                                         english: str) -> None:
    with app.test_request_context("/"):
        assert waited(ARRIVED, ARRIVED + after) == chinese
    with app.test_request_context("/?lang=en"):
        assert waited(ARRIVED, ARRIVED + after) == english


def test_the_waiting_time_is_the_same_whatever_zone_the_instants_are_written_in(app: Flask) -> None:
    china = timezone(timedelta(hours=8))
    now = (ARRIVED + timedelta(minutes=27)).astimezone(china)
    with app.test_request_context("/"):
        assert waited(ARRIVED.isoformat(), now) == "已等待 27 分钟"
        assert waited(ARRIVED.astimezone(china).isoformat(), now) == "已等待 27 分钟"
        assert waited(ARRIVED.replace(tzinfo=None), now) == "已等待 27 分钟"
        assert waited(ARRIVED + timedelta(minutes=5), now - timedelta(minutes=30)) == "刚刚到达"
        assert waited("not a time", now) == "—"


@pytest.mark.parametrize(("value", "written"), [
    ("1150000", "¥1,150,000.00"),
    (Decimal("-300000"), "-¥300,000.00"),
    ("-1234.5", "-¥1,234.50"),
    ("-0.004", "¥0.00"),
    ("0", "¥0.00"),
    (None, "—"),
    ("not an amount", "not an amount"),
])
def test_money_puts_the_sign_before_the_yuan_sign(value: object, written: str) -> None:
    assert money(value) == written
    if value is not None:
        assert money_text(value) == written, "the pages and the services' messages write money alike"


def test_a_total_below_zero_has_its_sign_first() -> None:
    assert total(["100.00", "-¥400.50", "x"]) == "-¥300.50"


def test_a_message_about_a_negative_remaining_allocation_puts_the_sign_first(app: Flask) -> None:
    error = FieldError("plan_override_reason", "override_required", OVERRIDE_NEEDED,
                       {"total": money_text(Decimal("820000.00")), "remaining": money_text(Decimal("-300000.00")),
                        "year": 2026})
    with app.test_request_context("/"):
        assert field_message(error) == ("计划表合计 ¥820,000.00 超出该行 2026 年剩余分配额度 -¥300,000.00："
                                        "同意须填写理由。")
    with app.test_request_context("/?lang=en"):
        assert "of ¥820,000.00 exceeds the bank's remaining allocation of -¥300,000.00 for 2026" in field_message(error)


@pytest.mark.parametrize(("code", "chinese", "english"), [
    ("2026Q3", "2026年第3季度", "Q3 2026"),
    ("2027Q1", "2027年第1季度", "Q1 2027"),
    ("2026-07", "2026年7月", "July 2026"),
    ("2026", "2026年度", "Year 2026"),
    ("not a period", "not a period", "not a period"),
    ("", "—", "—"),
])
def test_a_reconciliation_period_is_written_as_people_say_it(app: Flask, code: str, chinese: str,
                                                              english: str) -> None:
    with app.test_request_context("/"):
        assert period_text(code) == chinese
    with app.test_request_context("/?lang=en"):
        assert period_text(code) == english


def test_only_a_reconciliations_title_has_its_period_rewritten(app: Flask) -> None:
    with app.test_request_context("/"):
        assert instance_title("中国工商银行太仓分行 2026Q3 对账") == "中国工商银行太仓分行 2026年第3季度对账"
        assert instance_title("社保卡 2026Q3 升级") == "社保卡 2026Q3 升级", "a project's own name stays as written"
        assert instance_title(None) == ""
    with app.test_request_context("/?lang=en"):
        assert instance_title("中国工商银行太仓分行 2026Q3 对账") == "中国工商银行太仓分行 Reconciliation Q3 2026"
