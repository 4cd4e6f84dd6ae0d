"""Running totals per bank, department, year, round, category, stage and status.

Every change to a project's place (its stage, status, bank) or to its counted facts (year, round,
category and the five amounts) moves its contribution from one row of `oversight_total` to
another in the same transaction, so the dashboard reads a few hundred rows instead of scanning
every project. Rows are changed in key order, so that concurrent steps never deadlock.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import Connection, ColumnElement, and_, delete, func, insert, literal, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite

from models.tables import oversight_total, process_instance, project
from models.types import to_money

MONEY = ("budget", "approved_budget", "plan_amount", "contract_price", "paid_total")
KEYS = ("bank_org_id", "department_org_id", "year", "round", "category", "stage", "status")
FACTS = ("year", "round", "category", *MONEY)
ZERO = Decimal("0.00")


class Place(NamedTuple):
    """Where an instance stands: its organisations, stage and status."""

    bank_org_id: int | None
    department_org_id: int | None
    stage: str
    status: str


@dataclass(frozen=True)
class Share:
    """One instance's contribution to the totals: its key and its amounts."""

    key: tuple[Any, ...]
    amounts: tuple[Decimal, ...]


def _share(place: Place, facts: Mapping[str, Any]) -> Share:
    year = facts.get("year")
    key = (place.bank_org_id or 0, place.department_org_id or 0, int(year) if year else 0,
           facts.get("round") or "", facts.get("category") or "", place.stage, place.status)
    return Share(key, tuple(to_money(facts.get(name) or 0) for name in MONEY))


def _facts(conn: Connection, instance_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(*[project.c[name] for name in FACTS])
                       .where(project.c.instance_id == instance_id)).first()
    return dict(row._mapping) if row is not None else None


def _upsert(conn: Connection, rows: list[dict[str, Any]]) -> None:
    maker = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = maker(oversight_total)
    statement = statement.on_conflict_do_update(
        index_elements=list(KEYS),
        set_={name: oversight_total.c[name] + statement.excluded[name] for name in ("instances", *MONEY)})
    conn.execute(statement, rows)


def _apply(conn: Connection, before: Share | None, after: Share | None) -> None:
    deltas: dict[tuple[Any, ...], list[Any]] = {}
    for share, sign in ((before, -1), (after, 1)):
        if share is None:
            continue
        delta = deltas.setdefault(share.key, [0, *[ZERO] * len(MONEY)])
        delta[0] += sign
        for index, amount in enumerate(share.amounts, start=1):
            delta[index] += sign * amount
    rows = [{**dict(zip(KEYS, key)), "instances": delta[0], **dict(zip(MONEY, delta[1:]))}
            for key, delta in sorted(deltas.items()) if any(delta)]
    if rows:
        _upsert(conn, rows)


def follow(conn: Connection, instance_id: int, before: Place | None, after: Place,
           changes: Mapping[str, Any] | None = None) -> None:
    """Write a project's changed facts and new place into its row, and move its share of the totals.

    One UPDATE for the row; the totals need the row as it was, read first only when its place or a
    counted fact changes. *before* is None for a new instance. Instances without a project row
    are neither written nor counted.
    """
    changes = dict(changes or {})
    counted = {k: v for k, v in changes.items() if k in FACTS}
    moved = before != after
    values = {**changes, **(after._asdict() if moved else {})}
    facts = _facts(conn, instance_id) if moved or counted else None
    if values:
        conn.execute(update(project).where(project.c.instance_id == instance_id).values(**values))
    if facts is not None:
        _apply(conn, _share(before, facts) if before is not None else None, _share(after, {**facts, **counted}))


def _key_expressions() -> list[ColumnElement[Any]]:
    return [func.coalesce(process_instance.c.bank_org_id, 0), func.coalesce(process_instance.c.department_org_id, 0),
            func.coalesce(project.c.year, 0), func.coalesce(project.c.round, literal("")),
            func.coalesce(project.c.category, literal("")), process_instance.c.stage, process_instance.c.status]


def recomputed(conn: Connection) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """Return the totals as computed from the projects themselves: {key: (instances, *amounts)}."""
    keys = _key_expressions()
    sums = [func.coalesce(func.sum(project.c[name]), 0) for name in MONEY]
    rows = conn.execute(select(*keys, func.count(), *sums)
                        .select_from(project.join(process_instance, process_instance.c.id == project.c.instance_id))
                        .group_by(*keys)).all()
    return {tuple(r[:7]): (r[7], *[to_money(v) for v in r[8:]]) for r in rows}


def misplaced(conn: Connection) -> list[int]:
    """Return the projects whose copied place differs from their instance's (none, when all is well)."""
    differs = or_(*[project.c[name].is_distinct_from(process_instance.c[name]) for name in Place._fields])
    return list(conn.execute(select(project.c.instance_id).join(
        process_instance, process_instance.c.id == project.c.instance_id).where(differs)).scalars())


def stored(conn: Connection) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """Return the stored totals that are not empty: {key: (instances, *amounts)}."""
    rows = conn.execute(select(*[oversight_total.c[k] for k in KEYS], oversight_total.c.instances,
                               *[oversight_total.c[m] for m in MONEY])).all()
    return {tuple(r[:7]): tuple(r[7:]) for r in rows if any(r[7:])}


def rebuild(conn: Connection) -> int:
    """Recompute every total from the projects (after a bulk load); return the number of rows."""
    conn.execute(delete(oversight_total))
    rows = [{**dict(zip(KEYS, key)), "instances": values[0], **dict(zip(MONEY, values[1:]))}
            for key, values in sorted(recomputed(conn).items())]
    if rows:
        conn.execute(insert(oversight_total), rows)
    return len(rows)


def totals_where(**filters: Any) -> ColumnElement[bool]:
    """Return the WHERE clause narrowing the totals to the given key values (None: any)."""
    clauses = [oversight_total.c[name] == value for name, value in filters.items() if value is not None]
    return and_(true(), *clauses)
