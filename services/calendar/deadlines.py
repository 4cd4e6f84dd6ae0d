"""The payment clock of Measures §9: due date, reminder, escalations, days left or late."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from services.calendar.days import Calendar
from services.clock import CHINA

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


def next_escalation(calendar: Calendar, received: date, today: date) -> dict[str, Any]:
    """Return the next repeated escalation after *today*: every 5 working days past the due day."""
    due = calendar.add_working_days(received, PAYMENT_WORKING_DAYS).due
    rounds = 1
    while True:
        counted = calendar.add_working_days(due, ESCALATE_EVERY * rounds)
        if counted.due > today:
            return {"round": rounds, "days_late": ESCALATE_EVERY * rounds,
                    "timer": start_of(counted.due).isoformat(), "provisional": counted.provisional}
        rounds += 1


def clock_status(calendar: Calendar, due: date, today: date) -> dict[str, int]:
    """Return the working days left until *due* (today counted if it is one), or the working days late."""
    if today <= due:
        left = calendar.working_days_between(today, due) + calendar.day(today).working
        return {"days_left": left, "days_late": 0}
    return {"days_left": 0, "days_late": calendar.working_days_between(due, today)}
