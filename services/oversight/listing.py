"""The dashboard's instance list: filtered, sorted and paged with indexed queries, or streamed for export.

Every filter and sort is a column of the project table (the instance's place is copied there),
each with an index (column, instance_id): a page is chosen from one table by one index, and only
its rows are then joined to their instance. Columns that may be unknown (NULL) are read in two
parts, the known values in the asked order and then the unknown ones newest first: "unknown last"
in both directions on both databases, each part served by its index.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, Subquery, func, select

from models.tables import human_task, organization, oversight_total, process_instance, project
from services.calendar.days import Calendar
from services.calendar.status import due_status
from services.clock import from_db
from services.oversight.filters import PAYMENT_TASK, Resolved, instance_where, totals_filters
from services.oversight.totals import MONEY, totals_where

SORTS: dict[str, Any] = {
    "id": project.c.instance_id, "title": project.c.name, "stage": project.c.stage, "status": project.c.status,
    "year": project.c.year, **{name: project.c[name] for name in MONEY},
}
NULLABLE_SORTS = frozenset({"title", "year", "budget", "approved_budget", "plan_amount", "contract_price"})
MAX_PER_PAGE = 100
EXPORT_BATCH = 1000
_DEPT, _BANK = organization.alias("dept"), organization.alias("bank")
COLUMNS = (
    process_instance.c.id, process_instance.c.title, process_instance.c.status, process_instance.c.stage,
    process_instance.c.created_at, process_instance.c.updated_at, project.c.year, project.c.round,
    project.c.category, *[project.c[name] for name in MONEY], project.c.procurement_no, project.c.contractor,
    project.c.contract_no, _DEPT.c.code.label("department"), _BANK.c.code.label("bank"),
)


@dataclass(frozen=True)
class Sort:
    """The order of the list: a key of SORTS and a direction."""

    key: str = "id"
    descending: bool = True

    def __post_init__(self) -> None:
        if self.key not in SORTS:
            object.__setattr__(self, "key", "id")


def _ordered(query: Select[Any], column: Any, descending: bool) -> Select[Any]:
    if descending:
        return query.order_by(column.desc(), project.c.instance_id.desc())
    return query.order_by(column.asc(), project.c.instance_id.asc())


def _orders(sort: Sort) -> list[tuple[ColumnElement[bool] | None, Any, bool]]:
    """Return the list's parts in listing order: (their condition, their order column, descending)."""
    column = SORTS[sort.key]
    if sort.key not in NULLABLE_SORTS:
        return [(None, column, sort.descending)]
    return [(column.is_not(None), column, sort.descending), (column.is_(None), project.c.instance_id, True)]


def parts(resolved: Resolved, sort: Sort, now: datetime, base: Select[Any] | None = None) -> list[Select[Any]]:
    """Return the queries whose rows, one after the other, are the list in order (ids unless *base*)."""
    base = (select(project.c.instance_id) if base is None else base).where(instance_where(resolved, now))
    return [_ordered(base if where is None else base.where(where), column, descending)
            for where, column, descending in _orders(sort)]


def _details(chosen: Subquery | None = None) -> Select[Any]:
    """Return the listed columns of every project, or of the *chosen* ids' projects."""
    rows = project if chosen is None else chosen.join(project, project.c.instance_id == chosen.c.instance_id)
    return (select(*COLUMNS)
            .select_from(rows.join(process_instance, process_instance.c.id == project.c.instance_id))
            .outerjoin(_DEPT, _DEPT.c.id == process_instance.c.department_org_id)
            .outerjoin(_BANK, _BANK.c.id == process_instance.c.bank_org_id))


def count(conn: Connection, resolved: Resolved, now: datetime) -> int:
    """Return how many instances match: from the running totals when they can answer."""
    if resolved.flt.structured_only:
        query = select(func.coalesce(func.sum(oversight_total.c.instances), 0)).where(
            totals_where(**totals_filters(resolved)))
    else:
        query = select(func.count()).select_from(project).where(instance_where(resolved, now))
    return int(conn.execute(query).scalar_one())


def _count_part(conn: Connection, part: Select[Any]) -> int:
    return int(conn.execute(select(func.count()).select_from(part.order_by(None).subquery())).scalar_one())


def _page_of(ids: Select[Any], column: Any, descending: bool) -> Select[Any]:
    """Return the details and open payment due of the projects *ids* chooses (an index's page), in its order."""
    due = (select(func.min(human_task.c.due_at))
           .where(human_task.c.instance_id == process_instance.c.id, human_task.c.status == "ready",
                  human_task.c.task_name == PAYMENT_TASK, human_task.c.due_at.is_not(None))
           .scalar_subquery().label("payment_due"))
    return _ordered(_details(ids.subquery("chosen")).add_columns(due), column, descending)


def page_rows(conn: Connection, resolved: Resolved, sort: Sort, now: datetime, offset: int,
              limit: int) -> list[Any]:
    """Return one page of rows with their payment due: ids chosen from the project table, joined to their details.

    One statement, unless the page reaches past the known values of a nullable sort into its unknown ones.
    """
    rows: list[Any] = []
    for part, (_where, column, descending) in zip(parts(resolved, sort, now), _orders(sort)):
        got = conn.execute(_page_of(part.offset(offset).limit(limit - len(rows)), column, descending)).all()
        rows += got
        if len(rows) >= limit:
            break
        # The next part starts where this one ended: skip what the offset skipped beyond it.
        offset = 0 if got else max(0, offset - _count_part(conn, part))
    return rows


def iter_rows(conn: Connection, resolved: Resolved, sort: Sort, now: datetime) -> Iterator[Any]:
    """Yield every matching row in order, fetched in batches."""
    for part in parts(resolved, sort, now, _details()):
        yield from conn.execution_options(stream_results=True, yield_per=EXPORT_BATCH).execute(part)


def item(row: Any, due: datetime | None, now: datetime, calendar: Calendar) -> dict[str, Any]:
    """Return one listed instance as the pages, the API and the exports show it."""
    money = {name: str(row._mapping[name]) if row._mapping[name] is not None else None for name in MONEY}
    clock = due_status(calendar, due, now)
    return {
        "instance_id": row.id, "title": row.title, "status": row.status, "stage": row.stage,
        "year": row.year, "round": row.round, "category": row.category, "department": row.department,
        "bank": row.bank, **money, "procurement_no": row.procurement_no, "contractor": row.contractor,
        "contract_no": row.contract_no, "created_at": from_db(row.created_at).isoformat(),
        "updated_at": from_db(row.updated_at).isoformat(),
        "payment_due": due.isoformat() if due else None, "overdue": clock["overdue"],
        "days_left": clock["days_left"], "days_late": clock["days_late"],
    }
