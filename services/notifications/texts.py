"""The Chinese text of a notification, written from its kind and parameters (e-mail is sent in Chinese).

The pages write the same messages in the reader's language from the same parameters.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

SUBJECTS = {
    "payment_reminder": "【付款提醒】{title}：第{instalment}期付款将于{due}到期",
    "payment_overdue": "【逾期督办】{title}：第{instalment}期付款已逾期",
    "payment_escalation": "【逾期督办】{title}：第{instalment}期付款已逾期{days_late}个工作日",
}


def day_text(text: str) -> str:
    """Return an ISO day as 2026年11月12日."""
    day = date.fromisoformat(text)
    return f"{day.year}年{day.month}月{day.day}日"


def _payment_body(kind: str, p: Mapping[str, Any]) -> str:
    due = day_text(p["due_date"]) + ("（暂定）" if p.get("provisional") else "")
    lines = [f"项目：{p['title']}", f"付款期次：第{p['instalment']}期",
             f"通知书及发票签收日期：{day_text(p['received_on'])}", f"付款截止日期：{due}"]
    if kind == "payment_reminder":
        lines.append(f"剩余工作日：{p['days_left']}个")
        lines.append("依据《办法》第九条，合作银行应在收到付款通知书和发票后30个工作日内完成支付。")
    else:
        lines.append(f"已逾期：{p['days_late']}个工作日")
        lines.append("请市人社局督办合作银行尽快完成支付；付款完成前每5个工作日提醒一次。")
    if p.get("late_from"):
        late = f"本通知原定于{day_text(p['late_from'])}发出，因定时任务停止而补发。"
        if kind != "payment_reminder":
            late += "其间未发的督办合并为本通知，下次督办自今日起5个工作日后发出。"
        lines.append(late)
    return "\n".join(lines)


def chinese(kind: str, params: Mapping[str, Any]) -> tuple[str, str]:
    """Return the subject and body of a notification in Chinese."""
    if kind not in SUBJECTS:
        return kind, ""
    values = {**params, "due": day_text(params["due_date"])}
    return SUBJECTS[kind].format(**values), _payment_body(kind, params)
