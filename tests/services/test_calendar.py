"""Working days under the Chinese statutory calendar: the package, python-holidays, overrides, official years."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.calendar import Calendar, Override, next_escalation, payment_due
from services.calendar.deadlines import escalation_at, sent_late
from services.calendar import admin as calendar_admin
from services.context import Services
from services.errors import PermissionDenied, ValidationError
from services.users import load_actor

PLAIN = Calendar()


@pytest.mark.parametrize(("received", "due"), [
    (date(2026, 9, 25), date(2026, 11, 12)),   # National Day week and the 10-10 make-up Saturday
    (date(2026, 1, 20), date(2026, 3, 9)),     # Spring Festival and its make-up Saturdays 02-14, 02-28
])
def test_thirty_working_days_follow_the_statutory_calendar(received: date, due: date) -> None:
    counted = PLAIN.add_working_days(received, 30)
    assert (counted.due, counted.provisional) == (due, False)
    assert payment_due(PLAIN, received)["due_date"] == due.isoformat()


def test_make_up_saturdays_work_and_holidays_rest() -> None:
    assert PLAIN.day(date(2026, 10, 10)).working and not PLAIN.day(date(2026, 10, 10)).provisional
    assert PLAIN.day(date(2026, 2, 14)).working
    assert not PLAIN.day(date(2026, 10, 1)).working
    assert PLAIN.add_working_days(date(2026, 10, 9), 1).due == date(2026, 10, 10)


def test_an_unknown_year_uses_the_statutory_holidays_and_is_provisional() -> None:
    new_year = PLAIN.day(date(2027, 1, 1))
    assert (new_year.working, new_year.provisional, new_year.origin) == (False, True, "holidays")
    assert not any(PLAIN.day(date(2027, 2, d)).working for d in range(5, 11))
    assert PLAIN.day(date(2027, 2, 11)).working
    counted = PLAIN.add_working_days(date(2027, 1, 29), 5)
    assert (counted.due, counted.provisional) == (date(2027, 2, 11), True)


def test_a_deadline_is_provisional_exactly_when_a_day_it_spans_is() -> None:
    assert PLAIN.add_working_days(date(2026, 11, 20), 10).provisional is False    # ends 2026-12-04
    assert PLAIN.add_working_days(date(2026, 12, 15), 30).provisional is True
    official = Calendar(official_years=frozenset({2027}))
    assert official.add_working_days(date(2026, 12, 15), 30).provisional is False


def test_an_override_wins_over_every_source() -> None:
    calendar = Calendar({date(2026, 10, 12): Override(date(2026, 10, 12), False, "特别休息日", "test"),
                         date(2027, 2, 20): Override(date(2027, 2, 20), True, "春节调休上班", "test")})
    assert not calendar.day(date(2026, 10, 12)).working and not calendar.day(date(2026, 10, 12)).provisional
    assert calendar.day(date(2027, 2, 20)).working and calendar.day(date(2027, 2, 20)).provisional
    assert calendar.add_working_days(date(2026, 10, 9), 1).due == date(2026, 10, 10)
    assert calendar.add_working_days(date(2026, 10, 10), 1).due == date(2026, 10, 13)


def test_counting_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        PLAIN.add_working_days(date(2026, 1, 5), 0)


def test_the_due_command_counts_after_the_date(services: Services) -> None:
    assert calendar_admin.due(services, "2026-09-25", "30") == {"due": "2026-11-12", "provisional": False}
    assert calendar_admin.due(services, "2026-12-31", 1) == {"due": "2027-01-04", "provisional": True}
    for start, count in [("2026-9-25", 30), ("20260925", 30), ("2026-W39-5", 30), ("2026-02-30", 1),
                         ("2026-09-25", 0), ("2026-09-25", "x"), ("2026-09-25", -3)]:
        with pytest.raises(ValidationError):
            calendar_admin.due(services, start, count)


def test_overrides_and_official_years_are_stored_and_change_the_count(services: Services) -> None:
    admin = load_actor(services, "admin")
    assert calendar_admin.due(services, "2027-02-19", 1) == {"due": "2027-02-22", "provisional": True}
    calendar_admin.add_override(services, admin, "2027-02-20", True, "春节调休上班", "国办发明电〔2026〕1号")
    assert calendar_admin.due(services, "2027-02-19", 1) == {"due": "2027-02-20", "provisional": True}
    calendar_admin.mark_year(services, admin, 2027, True, "国务院办公厅关于2027年部分节假日安排的通知")
    assert calendar_admin.due(services, "2027-02-19", 1) == {"due": "2027-02-20", "provisional": False}
    page = calendar_admin.year_page(services, admin, 2027)
    assert page["official"] and [o["name"] for o in page["overrides"]] == ["春节调休上班"]
    assert {"day": "2027-02-20", "weekday": 5, "working": True, "provisional": False, "name": "春节调休上班",
            "origin": "override"} in page["days"]
    calendar_admin.remove_override(services, admin, "2027-02-20")
    assert calendar_admin.due(services, "2027-02-19", 1) == {"due": "2027-02-22", "provisional": False}


def test_only_an_administrator_changes_the_calendar(services: Services) -> None:
    with pytest.raises(PermissionDenied):
        calendar_admin.add_override(services, load_actor(services, "hrss_clerk"), "2027-02-20", True, "x", "y")
    with pytest.raises(ValidationError):
        calendar_admin.add_override(services, load_actor(services, "admin"), "2027-02-20", True, "x", "")
    with pytest.raises(ValidationError):
        calendar_admin.mark_year(services, load_actor(services, "admin"), 2027, True, "")


def test_escalations_every_five_working_days_and_a_catch_up_restarts_the_rounds() -> None:
    received = date(2026, 9, 25)  # due 2026-11-12 (Thu)
    first = next_escalation(PLAIN, received, date(2026, 11, 13))
    assert (first["due_on"], first["days_late"], first["round"], first["after"]) == ("2026-11-19", 5, 1, "due")
    on_time = next_escalation(PLAIN, received, date(2026, 11, 19), first)
    assert (on_time["due_on"], on_time["days_late"], on_time["round"]) == ("2026-11-26", 10, 2)
    saturday = next_escalation(PLAIN, received, date(2026, 11, 21), first)
    assert (saturday["due_on"], saturday["after"]) == ("2026-11-27", "2026-11-21"), "Friday was missed"
    late = next_escalation(PLAIN, received, date(2026, 12, 1), first)
    assert (late["due_on"], late["after"], late["days_late"], late["round"]) == ("2026-12-08", "2026-12-01", 18, 2)
    again = next_escalation(PLAIN, received, date(2026, 12, 8), late)
    assert (again["due_on"], again["after"], again["count"]) == ("2026-12-15", "2026-12-01", 10)
    first_day_late = PLAIN.add_working_days(date(2026, 10, 9), 31).due
    other_clock = next_escalation(PLAIN, date(2026, 10, 9), first_day_late, first)
    assert (other_clock["round"], other_clock["after"]) == (1, "due"), "an earlier instalment's round is not continued"


def test_a_stored_escalation_is_recomputed_from_its_anchor() -> None:
    day_off = Calendar({date(2026, 12, 3): Override(date(2026, 12, 3), False, "特别休息日", "test")})
    assert escalation_at(day_off, date(2026, 9, 25), "2026-12-01", 5)["due_on"] == "2026-12-09"
    assert escalation_at(day_off, date(2026, 9, 25), "due", 15)["due_on"] == "2026-12-04"
    assert sent_late(PLAIN, date(2026, 11, 14), date(2026, 11, 16)) is False, "Saturday's notice on Monday"
    assert sent_late(PLAIN, date(2026, 11, 14), date(2026, 11, 17)) is True


CALENDAR_WITH_OVERRIDES = Calendar(overrides={
    date(2026, 12, 31): Override(date(2026, 12, 31), False, "特别休息日"),
    date(2027, 2, 20): Override(date(2027, 2, 20), True, "春节调休上班")})


@settings(max_examples=200, deadline=None)
@given(st.dates(date(2024, 1, 1), date(2028, 12, 31)), st.dates(date(2024, 1, 1), date(2028, 12, 31)))
def test_working_days_between_counts_every_day_after_the_start_up_to_the_end(start: date, end: date) -> None:
    first, last, sign = (start, end, 1) if start <= end else (end, start, -1)
    counted = sum(CALENDAR_WITH_OVERRIDES.day(first + timedelta(days=n)).working
                  for n in range(1, (last - first).days + 1))
    assert CALENDAR_WITH_OVERRIDES.working_days_between(start, end) == sign * counted
