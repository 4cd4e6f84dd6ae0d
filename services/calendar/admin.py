"""Administer the calendar: overrides, official years, the year preview; count working days."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select, update

from models.tables import calendar_override, calendar_year
from services import audit
from services.calendar import recompute
from services.calendar.store import bump_revision, year_rows
from services.clock import parse_date, to_db
from services.context import Services
from services.errors import FieldError, NotFound, PermissionDenied, ValidationError
from services.users import Actor

FIRST_YEAR, LAST_YEAR = 2004, 2099


def checked_day(text: Any, field: str = "day") -> tuple[date | None, FieldError | None]:
    """Return the date written strictly as YYYY-MM-DD (services.clock.parse_date) within the calendar's
    years, or the field error that says why not (required, the format, the years)."""
    if not (text.strip() if isinstance(text, str) else text):
        return None, FieldError(field, "required", "This field is required.")
    try:
        day = parse_date(text)
    except ValueError:
        return None, FieldError(field, "date", "Enter a date as YYYY-MM-DD.")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        return None, FieldError(field, "yearRange", "The year must be between {first} and {last}.",
                                {"first": FIRST_YEAR, "last": LAST_YEAR})
    return day, None


def parse_day(text: Any, field: str = "day") -> date:
    """Return the date of `checked_day`; raise ValidationError with its field error otherwise."""
    day, error = checked_day(text, field)
    if day is None:
        raise ValidationError(f"{field}: {error.message if error else ''}", [error] if error else [])
    return day


def _text_field(value: str, field: str, limit: int, errors: list[FieldError]) -> None:
    if not value:
        errors.append(FieldError(field, "required", "This field is required."))
    elif len(value) > limit:
        errors.append(FieldError(field, "maxLength", "Enter at most {limit} characters.", {"limit": limit}))


def _require_admin(actor: Actor | None) -> None:
    if actor is not None and "admin" not in actor.roles:
        raise PermissionDenied("only an administrator may change the calendar")


def due(ctx: Services, start: Any, count: Any) -> dict[str, Any]:
    """Return the day *count* working days after *start* (not counted), and whether it is provisional."""
    day = parse_day(start, "date")
    if isinstance(count, str):
        count = int(count) if count.isdigit() and len(count) <= 4 else None
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 1000:
        raise ValidationError("count: a whole number of working days from 1 to 1000")
    counted = ctx.calendar().add_working_days(day, count)
    return {"due": counted.due.isoformat(), "provisional": counted.provisional}


def year_page(ctx: Services, actor: Actor | None, year: int) -> dict[str, Any]:
    """Return a year's overrides, whether it is official, and its holidays and make-up days."""
    _require_admin(actor)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise NotFound(f"year {year} is outside the calendar")
    calendar = ctx.calendar()
    with ctx.db.read() as conn:
        rows = year_rows(conn, year)
    days = [{"day": d.day.isoformat(), "weekday": d.day.weekday(), "working": d.working,
             "provisional": d.provisional, "name": d.name, "origin": d.origin} for d in calendar.rest_days(year)]
    return {"year": year, "library_knows": calendar.is_official(year) and year not in calendar.official_years,
            "official": calendar.is_official(year), **rows, "days": days}


def _changed(ctx: Services, conn: Any, actor: Actor | None, event: str, data: dict[str, Any]) -> None:
    bump_revision(conn, ctx.clock.now())
    audit.record(conn, event, ctx.clock.now(), actor_id=actor.id if actor else None, data=data)


def add_override(ctx: Services, actor: Actor | None, day_text: Any, is_workday: bool, name: str,
                 source: str) -> dict[str, Any]:
    """Say that a day is (or is not) a working day, citing the document; recompute deadlines."""
    _require_admin(actor)
    day, day_error = checked_day(day_text)
    errors = [day_error] if day_error else []
    name, source = (name or "").strip(), (source or "").strip()
    _text_field(name, "name", 100, errors)  # e.g. 春节 or 春节调休上班
    _text_field(source, "source", 300, errors)  # the document that fixes the day, e.g. 国办发明电〔2026〕X号
    if errors or day is None:
        raise ValidationError("The override has errors", errors)
    row = {"is_workday": bool(is_workday), "name": name, "source": source,
           "created_by": actor.id if actor else None, "created_at": to_db(ctx.clock.now())}
    with ctx.db.write() as conn:
        if conn.execute(update(calendar_override).where(calendar_override.c.day == day).values(**row)).rowcount == 0:
            conn.execute(insert(calendar_override).values(day=day, **row))
        _changed(ctx, conn, actor, "calendar_override_set",
                 {"day": day.isoformat(), "is_workday": bool(is_workday), "name": name, "source": source})
    return {"day": day.isoformat(), **{k: row[k] for k in ("is_workday", "name", "source")},
            "recomputed": recompute.recompute_deadlines(ctx, "calendar_override")}


def remove_override(ctx: Services, actor: Actor | None, day_text: Any) -> dict[str, Any]:
    """Remove the override of a day; recompute deadlines."""
    _require_admin(actor)
    day = parse_day(day_text)
    with ctx.db.write() as conn:
        if conn.execute(delete(calendar_override).where(calendar_override.c.day == day)).rowcount == 0:
            raise NotFound(f"no override for {day.isoformat()}")
        _changed(ctx, conn, actor, "calendar_override_removed", {"day": day.isoformat()})
    return {"day": day.isoformat(), "recomputed": recompute.recompute_deadlines(ctx, "calendar_override")}


def mark_year(ctx: Services, actor: Actor | None, year: int, official: bool, source: str) -> dict[str, Any]:
    """Declare that a year's overrides are (or are no longer) the State Council's notice; recompute."""
    _require_admin(actor)
    source = (source or "").strip()
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(f"year: between {FIRST_YEAR} and {LAST_YEAR}")
    if official and (not source or len(source) > 300):
        raise ValidationError("source: the State Council notice, e.g. 国务院办公厅关于2027年部分节假日安排的通知")
    row = {"official": official, "source": source, "marked_by": actor.id if actor else None,
           "marked_at": to_db(ctx.clock.now())}
    with ctx.db.write() as conn:
        if conn.execute(update(calendar_year).where(calendar_year.c.year == year).values(**row)).rowcount == 0:
            conn.execute(insert(calendar_year).values(year=year, **row))
        _changed(ctx, conn, actor, "calendar_year_marked", {"year": year, "official": official, "source": source})
    return {"year": year, "official": official, "source": source,
            "recomputed": recompute.recompute_deadlines(ctx, "calendar_year")}


def list_overrides(ctx: Services) -> list[dict[str, Any]]:
    """Return every override, oldest day first."""
    with ctx.db.read() as conn:
        rows = conn.execute(select(calendar_override).order_by(calendar_override.c.day)).all()
    return [{"day": r.day.isoformat(), "is_workday": r.is_workday, "name": r.name, "source": r.source} for r in rows]
