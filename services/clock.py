"""Time as the services see it: UTC instants, dates in China Standard Time."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8), "CST")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date(text: object) -> date:
    """Return the calendar date written as YYYY-MM-DD; raise ValueError for any other form."""
    if not isinstance(text, str) or not ISO_DATE.fullmatch(text):
        raise ValueError(f"not a date written YYYY-MM-DD: {text!r}")
    return date.fromisoformat(text)


class Clock:
    """The real clock."""

    def now(self) -> datetime:
        """Return the current instant, timezone-aware UTC."""
        return datetime.now(timezone.utc)

    def today(self) -> date:
        """Return today's date in China."""
        return self.now().astimezone(CHINA).date()


class FixedClock(Clock):
    """A clock that stays where it is set; for tests, benchmarks and demos."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def to_db(moment: datetime | None) -> datetime | None:
    """Return *moment* as naive UTC, the form every timestamp column stores."""
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def from_db(moment: datetime | None) -> datetime | None:
    """Return a stored naive-UTC timestamp as an aware datetime."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc)
