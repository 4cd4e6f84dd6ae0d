"""The payment clock's messages: a reminder to the bank, escalations to the bureau.

A timer event of a diagram says whom it notifies with two properties: `notifyRole` (a lane; bank
tasks belong to the project's bank, bureau lanes to everyone with the role) and `notifyKind`
(`payment_reminder`, `payment_overdue` or `payment_escalation`). One message per fired timer and
user: its dedupe key is the timer task's id.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, func, select

from engine.runtime import FiredTimer
from models.tables import payment
from services.calendar.deadlines import clock_status
from services.context import Services
from services.notifications.core import notify_role
from services.steps import Locked, lane_org

SUBJECTS = {
    "payment_reminder": "【付款提醒】{title}：第{n}期付款将于{due}到期",
    "payment_overdue": "【逾期督办】{title}：第{n}期付款已逾期",
    "payment_escalation": "【逾期督办】{title}：第{n}期付款已逾期{late}个工作日",
}


def _day(text: str) -> str:
    day = date.fromisoformat(text)
    return f"{day.year}年{day.month}月{day.day}日"


def _body(kind: str, title: str, n: int, clock: dict[str, Any], status: dict[str, int]) -> str:
    due = _day(clock["due_date"]) + ("（暂定）" if clock.get("provisional") else "")
    lines = [f"项目：{title}", f"付款期次：第{n}期", f"通知书及发票签收日期：{_day(clock['received_on'])}",
             f"付款截止日期：{due}"]
    if kind == "payment_reminder":
        lines.append(f"剩余工作日：{status['days_left']}个")
        lines.append("依据《办法》第九条，合作银行应在收到付款通知书和发票后30个工作日内完成支付。")
    else:
        lines.append(f"已逾期：{status['days_late']}个工作日")
        lines.append("请市人社局督办合作银行尽快完成支付；付款完成前每5个工作日提醒一次。")
    return "\n".join(lines)


def _instalment(conn: Connection, instance_id: int) -> int:
    return conn.execute(select(func.count()).select_from(payment).where(payment.c.instance_id == instance_id)
                        ).scalar_one() + 1


def clock_notifications(ctx: Services, conn: Connection, inst: Locked, fired: list[FiredTimer]) -> int:
    """Notify the people a fired payment-clock timer names; return how many notifications were added."""
    added = 0
    for timer in fired:
        kind, role = timer.properties.get("notifyKind"), timer.properties.get("notifyRole")
        clock = timer.data.get("payment_due")
        if kind not in SUBJECTS or not role or not isinstance(clock, dict):
            continue
        status = clock_status(ctx.calendar(), date.fromisoformat(clock["due_date"]), ctx.today())
        if kind == "payment_reminder" and status["days_late"] > 0:
            continue
        n = _instalment(conn, inst.id)
        subject = SUBJECTS[kind].format(title=inst.title, n=n, due=_day(clock["due_date"]), late=status["days_late"])
        added += notify_role(conn, ctx.clock.now(), role, lane_org(role, inst), kind=kind,
                             dedupe_key=f"{kind}:{timer.task_id}", subject=subject,
                             body=_body(kind, inst.title, n, clock, status), instance_id=inst.id)
    return added
