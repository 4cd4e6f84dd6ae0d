"""The bureau manages funding years: the annual round's dates and the supplementary rounds."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, func, insert, select, union, update

from models.tables import allocation, declaration_round, funding_year, project
from services import audit
from services.clock import to_db
from services.context import Services
from services.declaration.rounds import (
    MAX_NAME, annual_window, check_dates, decide_round, overlap, parse_day, require_manager,
)
from services.errors import FieldError, NotFound, ValidationError
from services.users import Actor

MIN_YEAR, MAX_YEAR = 2020, 2100


def check_year(year: Any) -> int:
    """Return *year* if it is a funding year the system handles; refuse anything else."""
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise NotFound(f"year {year} is not a funding year (from {MIN_YEAR} to {MAX_YEAR})")
    return year


def _dates(year: int, values: dict[str, Any]) -> tuple[date, date]:
    errors: list[FieldError] = []
    opens = parse_day(values.get("opens_on"), "opens_on", errors)
    closes = parse_day(values.get("closes_on"), "closes_on", errors)
    check_dates(year, opens, closes, errors)
    if errors or opens is None or closes is None:
        raise ValidationError("The dates have errors", errors)
    return opens, closes


def _rounds(conn: Connection, year: int) -> list[dict[str, Any]]:
    counts = (select(project.c.round_id, func.count().label("projects")).group_by(project.c.round_id).subquery())
    rows = conn.execute(select(declaration_round, func.coalesce(counts.c.projects, 0).label("projects"))
                        .outerjoin(counts, counts.c.round_id == declaration_round.c.id)
                        .where(declaration_round.c.year == year).order_by(declaration_round.c.opens_on))
    return [{"id": r.id, "name": r.name, "opens_on": r.opens_on.isoformat(), "closes_on": r.closes_on.isoformat(),
             "projects": r.projects} for r in rows]


def year_page(ctx: Services, year: int) -> dict[str, Any]:
    """Return a funding year: its annual round, its supplementary rounds and today's round."""
    check_year(year)
    with ctx.db.read() as conn:
        opens, closes, configured = annual_window(conn, year)
        today = decide_round(conn, ctx.clock.today())
        return {"year": year, "annual": {"opens_on": opens.isoformat(), "closes_on": closes.isoformat(),
                                         "configured": configured},
                "rounds": _rounds(conn, year),
                "today": {"year": today.year, "kind": today.kind, "name": today.name, "round_id": today.round_id}}


def list_years(ctx: Services) -> list[dict[str, Any]]:
    """Return every funding year that has rounds, projects or an allocation, and this year and the next."""
    this_year = ctx.clock.today().year
    with ctx.db.read() as conn:
        known = conn.execute(union(select(funding_year.c.year), select(declaration_round.c.year),
                                   select(allocation.c.year),
                                   select(project.c.year).where(project.c.year.is_not(None)))).scalars().all()
        years = sorted({*known, this_year, this_year + 1}, reverse=True)
        rounds = dict(conn.execute(select(declaration_round.c.year, func.count())
                                   .group_by(declaration_round.c.year)).all())
        fixed = set(conn.execute(select(allocation.c.year)).scalars())
        result = []
        for year in years:
            opens, closes, configured = annual_window(conn, year)
            result.append({"year": year, "annual_opens_on": opens.isoformat(), "annual_closes_on": closes.isoformat(),
                           "configured": configured, "supplementary_rounds": rounds.get(year, 0),
                           "allocation_fixed": year in fixed})
    return result


def set_annual_round(ctx: Services, actor: Actor | None, year: int, values: dict[str, Any]) -> dict[str, Any]:
    """Set the dates of *year*'s annual round; they may not overlap a supplementary round."""
    require_manager(actor)
    check_year(year)
    opens, closes = _dates(year, values)
    now = to_db(ctx.clock.now())
    with ctx.db.write() as conn:
        clash = overlap(conn, year, opens, closes, with_annual=False)
        if clash:
            raise ValidationError("The dates have errors", [FieldError(
                "opens_on", "overlap", "The dates overlap {other}.", {"other": clash})])
        row = {"annual_opens_on": opens, "annual_closes_on": closes, "updated_at": now,
               "updated_by": actor.id if actor else None}
        done = conn.execute(update(funding_year).where(funding_year.c.year == year).values(**row))
        if done.rowcount == 0:
            conn.execute(insert(funding_year).values(year=year, **row))
        audit.record(conn, "annual_round_set", ctx.clock.now(), actor_id=actor.id if actor else None,
                     data={"year": year, "opens_on": opens.isoformat(), "closes_on": closes.isoformat()})
    return year_page(ctx, year)


def _round_values(conn: Connection, year: int, values: dict[str, Any], skip: int | None) -> dict[str, Any]:
    name = values.get("name").strip() if isinstance(values.get("name"), str) else ""
    errors = [] if name and len(name) <= MAX_NAME else [
        FieldError("name", "required" if not name else "maxLength",
                   "This field is required." if not name else "Enter at most {limit} characters.", {"limit": MAX_NAME})]
    try:
        opens, closes = _dates(year, values)
    except ValidationError as exc:
        raise ValidationError("The round has errors", errors + exc.fields) from exc
    clash = overlap(conn, year, opens, closes, skip_round=skip)
    if clash:
        errors.append(FieldError("opens_on", "overlap", "The dates overlap {other}.", {"other": clash}))
    same = conn.execute(select(declaration_round.c.id).where(
        declaration_round.c.year == year, declaration_round.c.name == name)).scalar()
    if same is not None and same != skip:
        errors.append(FieldError("name", "taken", "Another round of this year has this name."))
    if errors:
        raise ValidationError("The round has errors", errors)
    return {"name": name, "opens_on": opens, "closes_on": closes}


def add_round(ctx: Services, actor: Actor | None, year: int, values: dict[str, Any]) -> dict[str, Any]:
    """Open a supplementary round of *year* (a name and its dates, not overlapping any other round)."""
    require_manager(actor)
    check_year(year)
    with ctx.db.write() as conn:
        row = _round_values(conn, year, values, None)
        new_id = conn.execute(insert(declaration_round).values(
            year=year, **row, created_at=to_db(ctx.clock.now()), created_by=actor.id if actor else None,
        )).inserted_primary_key[0]
        audit.record(conn, "round_opened", ctx.clock.now(), actor_id=actor.id if actor else None,
                     data={"year": year, "round_id": new_id, "name": row["name"],
                           "opens_on": row["opens_on"].isoformat(), "closes_on": row["closes_on"].isoformat()})
    return {"id": new_id, "year": year, "name": row["name"], "opens_on": row["opens_on"].isoformat(),
            "closes_on": row["closes_on"].isoformat()}


def update_round(ctx: Services, actor: Actor | None, round_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """Rename a supplementary round or move its dates (projects already in it stay in it)."""
    require_manager(actor)
    with ctx.db.write() as conn:
        year = conn.execute(select(declaration_round.c.year).where(declaration_round.c.id == round_id)).scalar()
        if year is None:
            raise NotFound(f"round {round_id} does not exist")
        row = _round_values(conn, year, values, round_id)
        conn.execute(update(declaration_round).where(declaration_round.c.id == round_id).values(**row))
        audit.record(conn, "round_changed", ctx.clock.now(), actor_id=actor.id if actor else None,
                     data={"year": year, "round_id": round_id, "name": row["name"],
                           "opens_on": row["opens_on"].isoformat(), "closes_on": row["closes_on"].isoformat()})
    return {"id": round_id, "year": year, "name": row["name"], "opens_on": row["opens_on"].isoformat(),
            "closes_on": row["closes_on"].isoformat()}
