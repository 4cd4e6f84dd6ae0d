"""Notifications: in-app per user, resolved from a role within an organisation, e-mailed once via SMTP."""
from __future__ import annotations

import socket
from email.header import decode_header, make_header
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from sqlalchemy import select, update

from models.tables import app_user, notification
from services.context import Services
from services.errors import NotFound
from services.notifications import mail
from services.notifications.core import list_for, mark_read, notify_role, unread_count
from services.users import load_actor


class Inbox(Message):
    """Keeps every message the local SMTP server receives."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list = []

    def handle_message(self, message) -> None:  # type: ignore[no-untyped-def]
        self.messages.append(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def _org(services: Services, code: str) -> int:
    return load_actor(services, "icbc_user").org_id if code == "bank-icbc" else load_actor(services, "abc_user").org_id


OVERDUE = {"title": "社保卡乘车码应用", "instalment": 1, "received_on": "2026-09-25", "due_date": "2026-11-12",
           "provisional": False, "days_left": 0, "days_late": 3, "late_from": None}


def test_a_role_within_an_organisation_resolves_to_its_users_once(services: Services) -> None:
    with services.db.write() as conn:
        added = notify_role(conn, services.clock.now(), "bank", _org(services, "bank-icbc"), kind="payment_reminder",
                            dedupe_key="k1", params={**OVERDUE, "days_left": 5, "days_late": 0})
        again = notify_role(conn, services.clock.now(), "bank", _org(services, "bank-icbc"), kind="payment_reminder",
                            dedupe_key="k1", params={**OVERDUE, "days_left": 4, "days_late": 0})
    assert (added, again) == (1, 0)
    icbc, abc = load_actor(services, "icbc_user"), load_actor(services, "abc_user")
    assert unread_count(services, icbc) == 1 and unread_count(services, abc) == 0
    (item,) = list_for(services, icbc)["items"]
    assert (item["kind"], item["params"]["days_left"]) == ("payment_reminder", 5), "the first one is kept"
    with pytest.raises(NotFound):
        mark_read(services, abc, item["id"])
    assert mark_read(services, icbc, item["id"]) == 1
    assert unread_count(services, icbc) == 0 and list_for(services, icbc)["items"][0]["read"] is True


def test_e_mail_goes_through_a_real_smtp_server_exactly_once(services: Services, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    with services.db.write() as conn:
        conn.execute(update(app_user).where(app_user.c.username == "hrss_clerk").values(email="wang@example.cn"))
        notify_role(conn, services.clock.now(), "hrss", None, kind="payment_overdue", dedupe_key="k2",
                    params=OVERDUE)
    config = mail.smtp_config({"YIKATONG_SMTP_HOST": "127.0.0.1", "YIKATONG_SMTP_PORT": str(port),
                               "YIKATONG_SMTP_FROM": "yikatong@taicang.example"})
    assert mail.send_pending(services, config) == 1
    assert mail.send_pending(services, config) == 0
    (message,) = inbox.messages
    assert message["To"] == "wang@example.cn" and message["From"] == "yikatong@taicang.example"
    subject = str(make_header(decode_header(message["Subject"])))
    assert subject == "【逾期督办】社保卡乘车码应用：第1期付款已逾期"
    body = message.get_payload(decode=True).decode()
    assert "付款截止日期：2026年11月12日" in body and "已逾期：3个工作日" in body
    with services.db.read() as conn:
        sent = conn.execute(select(notification.c.email_to, notification.c.sent_at)
                            .where(notification.c.sent_at.is_not(None))).all()
    assert [s.email_to for s in sent] == ["wang@example.cn"]


def test_without_a_configured_server_nothing_is_sent_and_a_dead_server_is_retried_later(services: Services) -> None:
    assert mail.smtp_config({}) is None and mail.send_pending(services, None) == 0
    with services.db.write() as conn:
        conn.execute(update(app_user).where(app_user.c.username == "hrss_clerk").values(email="wang@example.cn"))
        notify_role(conn, services.clock.now(), "hrss", None, kind="payment_overdue", dedupe_key="k3", params=OVERDUE)
    dead = mail.smtp_config({"YIKATONG_SMTP_HOST": "127.0.0.1", "YIKATONG_SMTP_PORT": str(_free_port())})
    assert mail.send_pending(services, dead) == 0
    with services.db.read() as conn:
        row = conn.execute(select(notification.c.sent_at, notification.c.send_attempts, notification.c.send_error)
                           .where(notification.c.email_to.is_not(None))).one()
    assert row.sent_at is None and row.send_attempts == 1 and row.send_error
