"""Words on the pages: each label names what it labels, and codes are shown as the names people know."""
from __future__ import annotations

import re

from services.context import Services
from tests.services import samples
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
