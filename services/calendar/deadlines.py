"""The payment clock of Measures §9: due date, reminder, escalations, days left or late."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from services.calendar.days import Calendar
from services.clock import CHINA, parse_date

PAYMENT_WORKING_DAYS = 30
REMIND_DAYS_LEFT = 5
ESCALATE_EVERY = 5


def start_of(day: date) -> datetime:
    """Return the instant *day* begins in China."""
    return datetime.combine(day, time(0, 0), CHINA)


def _remind_day(calendar: Calendar, due: date) -> date:
    day, left = due, 1
    while left < REMIND_DAYS_LEFT:
        day -= timedelta(days=1)
        left += calendar.day(day).working
    return day


def payment_due(calendar: Calendar, received: date) -> dict[str, Any]:
    """Return the payment clock of a notice and invoice received on *received*.

    The bank pays within 30 working days after the receipt day; it is reminded on the day
    5 working days are left; the deadline passes at midnight after the due day.
    """
    counted = calendar.add_working_days(received, PAYMENT_WORKING_DAYS)
    return {
        "received_on": received.isoformat(),
        "due_date": counted.due.isoformat(),
        "timer": start_of(counted.due + timedelta(days=1)).isoformat(),
        "remind_timer": start_of(_remind_day(calendar, counted.due)).isoformat(),
        "provisional": counted.provisional,
    }


def sent_late(calendar: Calendar, scheduled: date, today: date) -> bool:
    """Return True if a notice meant for *scheduled* goes out a working day or more after it."""
    first = scheduled if calendar.day(scheduled).working else calendar.add_working_days(scheduled, 1).due
    return today > first and calendar.working_days_between(first, today) >= 1


def escalation_at(calendar: Calendar, received: date, after: str, count: int) -> dict[str, Any]:
    """Return the escalation *count* working days after *after* (`due`: the due day, else an ISO day)."""
    due = calendar.add_working_days(received, PAYMENT_WORKING_DAYS)
    base = due.due if after == "due" else parse_date(after)
    counted = calendar.add_working_days(base, count)
    return {"received_on": received.isoformat(), "after": after, "count": count,
            "due_on": counted.due.isoformat(), "timer": start_of(counted.due).isoformat(),
            "days_late": calendar.working_days_between(due.due, counted.due),
            "provisional": counted.provisional or (after == "due" and due.provisional)}


def next_escalation(calendar: Calendar, received: date, today: date,
                    previous: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return the next escalation of an overdue payment, every 5 working days until it is paid.

    The first comes 5 working days after the due day, each next one 5 working days after the
    one before. A notice sent late (the worker was stopped) is one catch-up notice telling the
    days late, not one per missed round, and the rounds start again from the day it went out.
    """
    if previous is not None and previous.get("received_on") != received.isoformat():
        previous = None  # an earlier instalment's clock
    if previous is None:
        due = calendar.add_working_days(received, PAYMENT_WORKING_DAYS).due
        scheduled, after, count, rounds = calendar.add_working_days(due, 1).due, "due", 0, 0
    else:
        scheduled = parse_date(previous["due_on"])
        after, count, rounds = previous["after"], previous["count"], previous.get("round", 0)
    if sent_late(calendar, scheduled, today):
        after, count = today.isoformat(), 0
    return {**escalation_at(calendar, received, after, count + ESCALATE_EVERY), "round": rounds + 1}


def clock_status(calendar: Calendar, due: date, today: date) -> dict[str, int]:
    """Return the working days left until *due* (today counted if it is one), or the working days late."""
    if today <= due:
        left = calendar.working_days_between(today, due) + calendar.day(today).working
        return {"days_left": left, "days_late": 0}
    return {"days_left": 0, "days_late": calendar.working_days_between(due, today)}
