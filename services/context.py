"""What every use case needs: the database, the clock, file storage and cached models."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from engine.runtime import SafeScriptEngine, script_engine
from models.db import Database
from services.clock import Clock, parse_date
from services.money.allocation import allocation_rows
from services.working_days import payment_due


def _payment_due_operation(today: Callable[[], date]) -> Callable[..., Any]:
    def payment_due_date(received_on: str | None = None) -> dict[str, Any]:
        received = parse_date(received_on) if received_on else today()
        due = payment_due(received)
        return {"due_date": due.due.isoformat(), "timer": due.deadline().isoformat(),
                "provisional": due.provisional}
    return payment_due_date


def operations_for(today: Callable[[], date]) -> Mapping[str, Callable[..., Any]]:
    """Return the service operations diagrams may call, bound to a clock."""
    return {"compute_payment_due_date": _payment_due_operation(today), "compute_allocation": allocation_rows}


OPERATION_NAMES = frozenset(operations_for(Clock().today))


@dataclass
class Services:
    """The dependencies of the use cases, built once per process (or per test)."""

    db: Database
    files_dir: Path
    clock: Clock = field(default_factory=Clock)
    _engine: SafeScriptEngine | None = field(default=None, repr=False)
    model_hashes: dict[int, str] = field(default_factory=dict, repr=False)

    @property
    def script_engine(self) -> SafeScriptEngine:
        """Return the script engine bound to this context's clock and operations."""
        if self._engine is None:
            self._engine = script_engine(self.now, self.today, operations_for(self.today))
        return self._engine

    def now(self) -> datetime:
        """Return the current instant by this context's clock."""
        return self.clock.now()

    def today(self) -> date:
        """Return today's date in China by this context's clock."""
        return self.clock.today()
