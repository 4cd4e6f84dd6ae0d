"""Working days under the Chinese statutory calendar, from three sources in order of authority.

1. The overrides an administrator entered (a day is a working day or not, with its source).
2. `chinese-calendar`, for the years it knows (holidays and make-up workdays, 调休).
3. For a year neither knows: the statutory holidays computed by `holidays` (lunar dates
   included) and weekends as rest days. No make-up workdays are known, so such days are
   provisional (暂定) until an administrator marks the year's overrides as the official notice.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib.metadata import PackageNotFoundError, version

import chinese_calendar
import holidays

MAX_COUNT = 1000


@dataclass(frozen=True)
class Override:
    """An administrator's ruling on one day."""

    day: date
    is_workday: bool
    name: str = ""
    source: str = ""


@dataclass(frozen=True)
class Day:
    """One calendar day: a working day or not, whether that is provisional, and why."""

    day: date
    working: bool
    provisional: bool
    name: str
    origin: str


@dataclass(frozen=True)
class Counted:
    """The day *count* working days after a start, and whether any day counted was provisional."""

    due: date
    provisional: bool


@functools.cache
def library_knows(year: int) -> bool:
    """Return True if chinese-calendar has the State Council's notice for *year*."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@functools.cache
def statutory_holidays(year: int) -> Mapping[date, str]:
    """Return the statutory holidays of *year* as computed by `holidays` (Chinese names)."""
    try:
        return dict(holidays.China(years=year, language="zh_CN"))
    except (NotImplementedError, KeyError, ValueError):
        return dict(holidays.China(years=year))


def library_versions() -> str:
    """Return the versions of the calendar packages, to notice when a newer one is installed."""
    found = []
    for name in ("chinese-calendar", "holidays"):
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} ?")
    return "; ".join(found)


@functools.lru_cache(maxsize=8192)
def _library_day(day: date) -> Day:
    working = chinese_calendar.is_workday(day)
    _holiday, name = chinese_calendar.get_holiday_detail(day)
    chinese = {h.value: h.chinese for h in chinese_calendar.Holiday}
    label = chinese.get(name, str(name or "")) if name else ("调休上班" if working and day.weekday() >= 5 else "")
    return Day(day, working, False, label, "chinese-calendar")


@dataclass(frozen=True)
class Calendar:
    """The statutory calendar with an administrator's overrides and official years."""

    overrides: Mapping[date, Override] = field(default_factory=dict)
    official_years: frozenset[int] = frozenset()
    _days: dict[date, Day] = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)
    _worked: dict[int, tuple[int, ...]] = field(default_factory=dict, init=False, repr=False, compare=False,
                                                hash=False)

    def is_official(self, year: int) -> bool:
        """Return True if the days of *year* are known from an official source."""
        return library_knows(year) or year in self.official_years

    def day(self, day: date) -> Day:
        """Return what *day* is: working or not, provisional or not, and from which source."""
        known = self._days.get(day)
        if known is None:
            known = self._days[day] = self._lookup(day)
        return known

    def _lookup(self, day: date) -> Day:
        official = self.is_official(day.year)
        override = self.overrides.get(day)
        if override is not None:
            return Day(day, override.is_workday, not official, override.name, "override")
        if library_knows(day.year):
            return _library_day(day)
        name = statutory_holidays(day.year).get(day)
        if name is not None:
            return Day(day, False, not official, name, "holidays")
        return Day(day, day.weekday() < 5, not official, "", "weekday")

    def add_working_days(self, start: date, count: int) -> Counted:
        """Return the day *count* working days after *start* (the start itself is not counted)."""
        if not 1 <= count <= MAX_COUNT:
            raise ValueError(f"count must be between 1 and {MAX_COUNT}")
        current, counted, provisional = start, 0, False
        while counted < count:
            current += timedelta(days=1)
            info = self.day(current)
            provisional = provisional or info.provisional
            counted += info.working
        return Counted(current, provisional)

    def _year_worked(self, year: int) -> tuple[int, ...]:
        """Return, for each day of *year*, how many working days the year has had up to and including it."""
        known = self._worked.get(year)
        if known is None:
            first, running, counts = date(year, 1, 1), 0, []
            for n in range((date(year + 1, 1, 1) - first).days):
                running += self.day(first + timedelta(days=n)).working
                counts.append(running)
            known = self._worked[year] = tuple(counts)
        return known

    def _worked_through(self, day: date) -> int:
        return self._year_worked(day.year)[day.timetuple().tm_yday - 1]

    def working_days_between(self, start: date, end: date) -> int:
        """Return how many working days lie after *start* up to and including *end* (negative if end < start).

        Counted from running totals per year, so that a deadline years past costs no more than a recent one.
        """
        if end < start:
            return -self.working_days_between(end, start)
        if start.year == end.year:
            return self._worked_through(end) - self._worked_through(start)
        total = self._year_worked(start.year)[-1] - self._worked_through(start)
        total += sum(self._year_worked(year)[-1] for year in range(start.year + 1, end.year))
        return total + self._worked_through(end)

    def spans_provisional(self, start: date, end: date) -> bool:
        """Return True if any day after *start* up to *end* is provisional."""
        return any(self.day(start + timedelta(days=n)).provisional for n in range(1, (end - start).days + 1))

    def rest_days(self, year: int) -> list[Day]:
        """Return the days of *year* that differ from a plain week: holidays, make-up workdays, overrides."""
        first, days = date(year, 1, 1), []
        for n in range((date(year + 1, 1, 1) - first).days):
            info = self.day(first + timedelta(days=n))
            if info.working != (info.day.weekday() < 5) or info.origin == "override" or (
                    info.name and not info.working):
                days.append(info)
        return days
