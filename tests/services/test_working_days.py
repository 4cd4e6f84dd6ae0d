"""Payment deadlines count 30 Chinese statutory working days after receipt."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from services.working_days import add_working_days, is_provisional, is_working_day, payment_due


@pytest.mark.parametrize(("received", "due"), [
    (date(2026, 9, 25), date(2026, 11, 12)),   # National Day week and the 10-10 make-up day
    (date(2026, 1, 20), date(2026, 3, 9)),     # Spring Festival and its make-up Saturdays
])
def test_payment_due_follows_the_statutory_calendar(received: date, due: date) -> None:
    result = payment_due(received)
    assert result.due == due
    assert result.provisional is False


def test_make_up_saturdays_are_working_days_and_holidays_are_not() -> None:
    assert is_working_day(date(2026, 10, 10)) == (True, True)
    assert is_working_day(date(2026, 10, 1)) == (False, True)


def test_years_without_official_data_are_marked_provisional() -> None:
    result = payment_due(date(2026, 12, 15))
    assert result.provisional is True
    assert result.due.weekday() < 5


def test_the_deadline_is_midnight_after_the_due_day_in_china() -> None:
    deadline = payment_due(date(2026, 9, 25)).deadline()
    assert deadline.astimezone(timezone.utc) == datetime(2026, 11, 12, 16, 0, tzinfo=timezone.utc)


def test_counting_needs_at_least_one_day() -> None:
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 5), 0)
    assert add_working_days(date(2026, 1, 5), 1).due == date(2026, 1, 5) + timedelta(days=1)


def test_deadlines_counted_through_an_unknown_year_are_provisional() -> None:
    assert is_provisional(payment_due(date(2026, 9, 25)).deadline()) is False
    assert is_provisional(payment_due(date(2026, 12, 15)).deadline()) is True
