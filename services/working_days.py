"""Chinese statutory working days (holidays and make-up workdays included)."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import chinese_calendar

from services.clock import CHINA

PAYMENT_WORKING_DAYS = 30
COUNTED_SPAN_DAYS = 70  # 30 working days never span more than this many calendar days


@dataclass(frozen=True)
class DueDate:
    """A due date; `provisional` when a year without official calendar data was counted."""

    due: date
    provisional: bool

    def deadline(self) -> datetime:
        """Return the instant the due date has passed: midnight after it, China time."""
        return datetime.combine(self.due + timedelta(days=1), time(0, 0), CHINA)


@functools.cache
def year_is_official(year: int) -> bool:
    """Return True if the statutory calendar of *year* (holidays, make-up days) is known."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def is_provisional(due: datetime) -> bool:
    """Return True if a deadline's working days ran through a year without official calendar data."""
    last = due.astimezone(CHINA)
    first = last - timedelta(days=COUNTED_SPAN_DAYS)
    return not all(year_is_official(year) for year in range(first.year, last.year + 1))


def is_working_day(day: date) -> tuple[bool, bool]:
    """Return (is a working day, known from official data) for *day*."""
    try:
        return chinese_calendar.is_workday(day), True
    except NotImplementedError:
        return day.weekday() < 5, False


def add_working_days(received: date, count: int) -> DueDate:
    """Return the date *count* working days after *received* (the receipt day is day 0)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    day, counted, provisional = received, 0, False
    while counted < count:
        day += timedelta(days=1)
        working, official = is_working_day(day)
        provisional = provisional or not official
        counted += working
    return DueDate(day, provisional)


def payment_due(received: date) -> DueDate:
    """Return when a bank must have paid a notice received on *received* (Measures §9)."""
    return add_working_days(received, PAYMENT_WORKING_DAYS)
