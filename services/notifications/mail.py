"""E-mail through an outbox: each notification with an address is sent exactly once when SMTP is configured.

Configuration: YIKATONG_SMTP_HOST (required to send), YIKATONG_SMTP_PORT (25), YIKATONG_SMTP_USER and
YIKATONG_SMTP_PASSWORD (optional login), YIKATONG_SMTP_FROM (the sender address),
YIKATONG_SMTP_STARTTLS=1 to upgrade the connection with STARTTLS.
"""
from __future__ import annotations

import os
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from sqlalchemy import select, update

from models.tables import notification
from services.clock import to_db
from services.context import Services
from services.notifications import texts

MAX_ATTEMPTS = 5
TIMEOUT_SECONDS = 20.0


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to send e-mail."""

    host: str
    port: int = 25
    user: str = ""
    password: str = ""
    sender: str = "yikatong@localhost"
    starttls: bool = False


def smtp_config(env: Mapping[str, str] | None = None) -> SmtpConfig | None:
    """Return the SMTP configuration from the environment, or None when no server is configured."""
    env = os.environ if env is None else env
    host = env.get("YIKATONG_SMTP_HOST", "").strip()
    if not host:
        return None
    return SmtpConfig(host=host, port=int(env.get("YIKATONG_SMTP_PORT") or 25),
                      user=env.get("YIKATONG_SMTP_USER", ""), password=env.get("YIKATONG_SMTP_PASSWORD", ""),
                      sender=env.get("YIKATONG_SMTP_FROM") or "yikatong@localhost",
                      starttls=env.get("YIKATONG_SMTP_STARTTLS", "") in ("1", "true", "yes"))


def _message(config: SmtpConfig, row: Any) -> EmailMessage:
    message = EmailMessage()
    subject, body = texts.chinese(row.kind, row.params)
    message["From"], message["To"], message["Subject"] = config.sender, row.email_to, subject
    message.set_content(body)
    return message


def _send(config: SmtpConfig, message: EmailMessage) -> None:
    with smtplib.SMTP(config.host, config.port, timeout=TIMEOUT_SECONDS) as smtp:
        if config.starttls:
            smtp.starttls()
        if config.user:
            smtp.login(config.user, config.password)
        smtp.send_message(message)


def _send_next(ctx: Services, config: SmtpConfig) -> bool:
    query = (select(notification.c.id, notification.c.email_to, notification.c.kind, notification.c.params)
             .where(notification.c.sent_at.is_(None), notification.c.email_to.is_not(None),
                    notification.c.send_attempts < MAX_ATTEMPTS)
             .order_by(notification.c.id).limit(1))
    if ctx.db.is_postgresql:
        query = query.with_for_update(skip_locked=True)
    with ctx.db.write() as conn:
        row = conn.execute(query).first()
        if row is None:
            return False
        values: dict[str, Any] = {"send_attempts": notification.c.send_attempts + 1}
        try:
            _send(config, _message(config, row))
            values.update(sent_at=to_db(ctx.clock.now()), send_error=None)
        except (OSError, smtplib.SMTPException) as exc:
            values["send_error"] = f"{type(exc).__name__}: {exc}"[:2000]
        conn.execute(update(notification).where(notification.c.id == row.id).values(**values))
    return "sent_at" in values


def send_pending(ctx: Services, config: SmtpConfig | None = None, limit: int = 200) -> int:
    """Send the e-mails of the outbox, one transaction each, until one fails; return how many were sent."""
    config = config or smtp_config()
    if config is None:
        return 0
    tried = 0
    while tried < limit and _send_next(ctx, config):
        tried += 1
    return tried
