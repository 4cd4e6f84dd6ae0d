"""Funding years and their declaration rounds (§3): which round a declaration belongs to, by its date.

Each year has an annual round (集中申报期, January unless the bureau sets other dates) and may
have supplementary rounds the bureau opens. A declaration submitted inside the annual round is
annual; any other is supplementary (追加申报) and must give its urgency reason. It belongs to the
open supplementary round that contains its date, if there is one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, select

from models.tables import declaration_round, funding_year, project
from services.context import Services
from services.errors import FieldError, PermissionDenied
from services.users import Actor

DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MANAGERS = frozenset({"hrss"})
MAX_NAME = 100


@dataclass(frozen=True)
class RoundDecision:
    """The round a declaration falls into: its funding year, kind, supplementary round and dates."""

    year: int
    kind: str
    round_id: int | None
    name: str
    opens_on: date | None
    closes_on: date | None

    @property
    def needs_reason(self) -> bool:
        """Return True if a declaration in this round must give its urgency reason."""
        return self.kind == "supplementary"


def default_annual(year: int) -> tuple[date, date]:
    """Return the annual round of a year the bureau has not configured: all of January."""
    return date(year, 1, 1), date(year, 1, 31)


def annual_window(conn: Connection, year: int) -> tuple[date, date, bool]:
    """Return (opens, closes, configured) of *year*'s annual round."""
    row = conn.execute(select(funding_year.c.annual_opens_on, funding_year.c.annual_closes_on)
                       .where(funding_year.c.year == year)).first()
    if row is None:
        return (*default_annual(year), False)
    return row.annual_opens_on, row.annual_closes_on, True


def _annual(year: int, opens: date, closes: date) -> RoundDecision:
    return RoundDecision(year, "annual", None, f"{year}年度集中申报", opens, closes)


def _supplementary(conn: Connection, day: date) -> RoundDecision:
    row = conn.execute(select(declaration_round).where(
        declaration_round.c.opens_on <= day, declaration_round.c.closes_on >= day)
        .order_by(declaration_round.c.opens_on).limit(1)).first()
    if row is None:
        return RoundDecision(day.year, "supplementary", None, f"{day.year}年追加申报", None, None)
    return RoundDecision(row.year, "supplementary", row.id, row.name, row.opens_on, row.closes_on)


def decide_round(conn: Connection, day: date) -> RoundDecision:
    """Return the round a declaration submitted on *day* (China's date) belongs to."""
    opens, closes, _configured = annual_window(conn, day.year)
    if opens <= day <= closes:
        return _annual(day.year, opens, closes)
    return _supplementary(conn, day)


def _kept(conn: Connection, instance_id: int) -> RoundDecision | None:
    row = conn.execute(select(project.c.year, project.c.round, project.c.round_id)
                       .where(project.c.instance_id == instance_id)).first()
    if row is None or row.year is None or row.round not in ("annual", "supplementary"):
        return None
    if row.round == "annual":
        return _annual(row.year, *annual_window(conn, row.year)[:2])
    found = conn.execute(select(declaration_round).where(declaration_round.c.id == row.round_id)).first()
    if found is None:
        return RoundDecision(row.year, "supplementary", None, f"{row.year}年追加申报", None, None)
    return RoundDecision(found.year, "supplementary", found.id, found.name, found.opens_on, found.closes_on)


def round_for_instance(conn: Connection, today: date, instance_id: int | None) -> RoundDecision:
    """Return the round of a declaration: the one decided at its first submission, else today's."""
    kept = _kept(conn, instance_id) if instance_id is not None else None
    return kept or decide_round(conn, today)


def current_round(ctx: Services) -> RoundDecision:
    """Return the round a declaration submitted today would belong to."""
    with ctx.db.read() as conn:
        return decide_round(conn, ctx.clock.today())


def require_manager(actor: Actor | None) -> None:
    """Refuse anyone but the bureau (role hrss); None is the command line's operator."""
    if actor is not None and not actor.roles & MANAGERS:
        raise PermissionDenied("only the bureau (hrss) may manage funding years and declaration rounds")


def parse_day(value: Any, field: str, errors: list[FieldError]) -> date | None:
    """Return the date written as YYYY-MM-DD, or add a field error (required when empty, else the format)."""
    if isinstance(value, date):
        return value
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        errors.append(FieldError(field, "required", "This field is required."))
        return None
    try:
        if DAY_RE.match(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    errors.append(FieldError(field, "date", "Enter a date as YYYY-MM-DD."))
    return None


def check_dates(year: int, opens: date | None, closes: date | None, errors: list[FieldError]) -> None:
    """Add field errors unless both dates lie in *year* and the round does not close before it opens."""
    for field, day in (("opens_on", opens), ("closes_on", closes)):
        if day is not None and day.year != year:
            errors.append(FieldError(field, "year", "The date must lie in {year}.", {"year": year}))
    if opens and closes and closes < opens and not errors:
        errors.append(FieldError("closes_on", "notBefore", "This date must not be earlier than {date}.",
                                 {"date": opens.isoformat()}))


def overlap(conn: Connection, year: int, opens: date, closes: date, *, skip_round: int | None = None,
            with_annual: bool = True) -> str | None:
    """Return what the dates overlap (the annual round of *year*, another round), or None."""
    window = annual_window(conn, year)[:2]
    if with_annual and opens <= window[1] and closes >= window[0]:
        return f"the annual round ({window[0].isoformat()} – {window[1].isoformat()})"
    clash = conn.execute(select(declaration_round.c.name).where(and_(
        declaration_round.c.opens_on <= closes, declaration_round.c.closes_on >= opens,
        declaration_round.c.id != (skip_round or 0)))).scalar()
    return f"the round {clash}" if clash else None
