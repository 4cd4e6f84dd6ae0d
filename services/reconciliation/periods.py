"""Reconciliation periods: a quarter `2026Q3` by default, or a month `2026-07` or a year `2026`.

Pure code: no database, no clock.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

QUARTER_RE = re.compile(r"^(20[0-9]{2})Q([1-4])$")
MONTH_RE = re.compile(r"^(20[0-9]{2})-(0[1-9]|1[0-2])$")
YEAR_RE = re.compile(r"^(20[0-9]{2})$")


class PeriodError(ValueError):
    """The text does not name a reconciliation period."""


@dataclass(frozen=True)
class Period:
    """A reconciliation period: its name and its first and last days."""

    name: str
    start: date
    end: date


def _month_end(year: int, month: int) -> date:
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def parse_period(text: object) -> Period:
    """Return the period named by *text* (`2026Q3`, `2026-07` or `2026`); raise PeriodError otherwise."""
    value = text.strip().upper() if isinstance(text, str) else ""
    if found := QUARTER_RE.match(value):
        year, quarter = int(found[1]), int(found[2])
        return Period(value, date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter))
    if found := MONTH_RE.match(value):
        year, month = int(found[1]), int(found[2])
        return Period(value, date(year, month, 1), _month_end(year, month))
    if found := YEAR_RE.match(value):
        year = int(found[1])
        return Period(value, date(year, 1, 1), date(year, 12, 31))
    raise PeriodError(f"{text!r} is not a reconciliation period: write a quarter like 2026Q3, a month like "
                      f"2026-07 or a year like 2026")


def quarter_before(day: date) -> Period:
    """Return the last quarter that ended before *day*."""
    quarter = (day.month - 1) // 3 + 1
    year, previous = (day.year, quarter - 1) if quarter > 1 else (day.year - 1, 4)
    return parse_period(f"{year}Q{previous}")


def quarters_between(after: date, last: Period) -> list[Period]:
    """Return the quarters that start after *after*, up to and including the quarter *last*, oldest first."""
    found: list[Period] = []
    period = last
    while period.start > after:
        found.append(period)
        period = quarter_before(period.start)
    return found[::-1]
