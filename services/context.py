"""What every use case needs: the database, the clock, file storage, the calendar and cached models."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from engine.runtime import SafeScriptEngine, script_engine
from models.db import Database
from services.calendar.days import Calendar
from services.calendar.deadlines import next_escalation, payment_due
from services.calendar.store import CalendarCache
from services.clock import Clock, parse_date
from services.money.allocation import allocation_rows
from services.reconciliation.figures import compare


def operations_for(today: Callable[[], date],
                   calendar: Callable[[], Calendar] = Calendar) -> Mapping[str, Callable[..., Any]]:
    """Return the service operations diagrams may call, bound to a clock and a calendar."""
    def compute_payment_due_date(received_on: str | None = None) -> dict[str, Any]:
        received = parse_date(received_on) if received_on else today()
        return payment_due(calendar(), received)

    def compute_payment_escalation(received_on: str, previous: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return next_escalation(calendar(), parse_date(received_on), today(), previous)

    return {"compute_payment_due_date": compute_payment_due_date,
            "compute_payment_escalation": compute_payment_escalation,
            "compute_allocation": allocation_rows, "compare_reconciliation": compare}


OPERATION_NAMES = frozenset(operations_for(Clock().today))


@dataclass
class Services:
    """The dependencies of the use cases, built once per process (or per test)."""

    db: Database
    files_dir: Path
    clock: Clock = field(default_factory=Clock)
    _engine: SafeScriptEngine | None = field(default=None, repr=False)
    model_hashes: dict[int, str] = field(default_factory=dict, repr=False)
    calendars: CalendarCache = field(default_factory=CalendarCache, repr=False)
    seal_cache: dict[str, Any] = field(default_factory=dict, repr=False)  # see services.official.keys

    @property
    def script_engine(self) -> SafeScriptEngine:
        """Return the script engine bound to this context's clock, calendar and operations."""
        if self._engine is None:
            self._engine = script_engine(self.now, self.today, operations_for(self.today, self.calendar))
        return self._engine

    def calendar(self) -> Calendar:
        """Return the working-day calendar with the stored overrides."""
        return self.calendars.get(self.db)

    def now(self) -> datetime:
        """Return the current instant by this context's clock."""
        return self.clock.now()

    def today(self) -> date:
        """Return today's date in China by this context's clock."""
        return self.clock.today()
