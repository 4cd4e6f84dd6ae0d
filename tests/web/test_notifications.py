"""The notification list: written in the reader's language from the stored kind and parameters."""
from __future__ import annotations

from services.context import Services
from services.notifications.core import notify_role
from tests.web.site import Site, text_of

CATCH_UP = {"title": "社保卡乘车码应用", "instalment": 1, "received_on": "2026-09-25", "due_date": "2026-11-12",
            "provisional": True, "days_left": 0, "days_late": 13, "late_from": "2026-11-19"}


def _notify(services: Services, kind: str, params: dict, key: str) -> None:
    with services.db.write() as conn:
        notify_role(conn, services.clock.now(), "hrss", None, kind=kind, dedupe_key=key, params=params)


def test_a_notification_reads_in_chinese_by_default_and_in_english_on_request(services: Services, site: Site) -> None:
    _notify(services, "payment_escalation", CATCH_UP, "e1")
    clerk = site.user("hrss_clerk")
    chinese = text_of(clerk.get("/notifications/"))
    assert "【逾期督办】社保卡乘车码应用：第1期付款已逾期13个工作日" in chinese
    assert "付款截止日期：2026年11月12日（暂定）" in chinese and "已逾期：13个工作日" in chinese
    assert "本通知原定于2026年11月19日发出，因定时任务停止而补发。" in chinese
    english = text_of(clerk.get("/notifications/?lang=en"))
    assert "[Overdue] 社保卡乘车码应用: instalment 1 is 13 working days overdue" in english
    assert "Payment due by: November 12, 2026 (provisional)" in english and "Working days overdue: 13" in english
    assert "This notice was due on November 19, 2026 and goes out late" in english
    assert "逾期督办" not in english


def test_a_reminder_and_the_unread_count_and_marking_read(services: Services, site: Site) -> None:
    reminder = {**CATCH_UP, "provisional": False, "days_left": 5, "days_late": 0, "late_from": None}
    with services.db.write() as conn:
        notify_role(conn, services.clock.now(), "bank", None, kind="payment_reminder", dedupe_key="r1",
                    params=reminder)
    bank = site.user("icbc_user")
    page = text_of(bank.get("/notifications/?lang=en"))
    assert "[Payment reminder] 社保卡乘车码应用: instalment 1 is due on November 12, 2026" in page
    assert "Working days left: 5" in page and "goes out late" not in page and "1 unread" in page
    assert bank.post("/notifications/read", {}, token_from="/notifications/").status_code == 302
    assert "0 unread" in text_of(bank.get("/notifications/?lang=en"))
