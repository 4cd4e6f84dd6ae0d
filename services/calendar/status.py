"""How a stored deadline reads today: its due day, working days left or working days late."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from services.calendar.days import Calendar
from services.calendar.deadlines import clock_status
from services.clock import CHINA


def due_day(deadline: datetime) -> date:
    """Return the day a deadline belongs to: a deadline at midnight closes the day before."""
    local = deadline.astimezone(CHINA)
    if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
        return local.date() - timedelta(days=1)
    return local.date()


def due_status(calendar: Calendar, deadline: datetime | None, now: datetime) -> dict[str, Any]:
    """Return the due day of *deadline* and, as of *now*, the working days left or late."""
    if deadline is None:
        return {"due_date": None, "days_left": None, "days_late": None, "overdue": False}
    day = due_day(deadline)
    status = clock_status(calendar, day, now.astimezone(CHINA).date())
    return {"due_date": day.isoformat(), **status, "overdue": deadline <= now}
