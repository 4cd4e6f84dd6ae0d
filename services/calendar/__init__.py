"""The statutory calendar: working days, overrides, official years, the payment clock, recomputation."""
from __future__ import annotations

from services.calendar.days import Calendar, Counted, Day, Override, library_knows
from services.calendar.deadlines import PAYMENT_WORKING_DAYS, clock_status, next_escalation, payment_due
from services.calendar.status import due_day, due_status

__all__ = [
    "PAYMENT_WORKING_DAYS", "Calendar", "Counted", "Day", "Override", "clock_status", "due_day", "due_status",
    "library_knows", "next_escalation", "payment_due",
]
