"""The dashboard over all projects: counts, amounts, payments overdue or due soon, the instance list.

Counts and amounts come from the running totals, the payment lists from the index of due times,
the list from indexes of its filters and sorts: no query reads every project and no workflow is
restored.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, desc, func, literal, null, select, union_all

from models.tables import human_task, organization, oversight_total, process_instance, project
from services.calendar.days import Calendar
from services.calendar.store import revision_column
from services.calendar.deadlines import start_of
from services.calendar.status import due_status
from services.clock import from_db, to_db
from services.context import Services
from services.oversight import listing
from services.oversight.access import require_dashboard
from services.oversight.filters import (
    PAYMENT_TASK, InstanceFilter, Resolved, instance_where, resolve, resolve_known, totals_filters,
)
from services.oversight.listing import Sort
from services.oversight.totals import MONEY, totals_where
from services.users import Actor

DUE_SOON_WORKING_DAYS = 5
PAYMENT_ITEMS = 10
_BANK = organization.alias("bank")


def _totals(conn: Connection, resolved: Resolved) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return (counts per stage and status, amounts per bank, year and category) in one round trip."""
    where = totals_where(**totals_filters(resolved))
    count = func.sum(oversight_total.c.instances)
    sums = [func.sum(oversight_total.c[m]) for m in MONEY]
    by_place = (select(literal("c").label("kind"), oversight_total.c.stage, oversight_total.c.status,
                       null().label("bank"), null().label("year"), null().label("category"), count,
                       *[null().label(m) for m in MONEY])
                .where(where).group_by(oversight_total.c.stage, oversight_total.c.status))
    by_money = (select(literal("a"), null(), null(), _BANK.c.code, oversight_total.c.year,
                       oversight_total.c.category, count, *sums)
                .select_from(oversight_total.outerjoin(_BANK, _BANK.c.id == oversight_total.c.bank_org_id))
                .where(where, oversight_total.c.year != 0)
                .group_by(_BANK.c.code, oversight_total.c.year, oversight_total.c.category))
    counts, amounts = [], []
    for r in conn.execute(union_all(by_money, by_place)).all():
        if not r[6]:
            continue
        if r[0] == "c":
            counts.append({"stage": r[1], "status": r[2], "instances": int(r[6])})
        else:
            amounts.append({"bank": r[3], "year": int(r[4]), "category": r[5], "instances": int(r[6]),
                            **{m: str(v) for m, v in zip(MONEY, r[7:])}})
    counts.sort(key=lambda c: (c["status"], c["stage"]))
    amounts.sort(key=lambda a: (-a["year"], a["bank"] or "", a["category"]))
    return counts, amounts


def _sum_rows(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"instances": sum(r["instances"] for r in rows),
            **{m: str(sum((Decimal(r[m]) for r in rows), Decimal("0.00"))) for m in MONEY}}


def _payments(conn: Connection, resolved: Resolved, now: datetime, until: datetime) -> list[Any]:
    """Return every open payment due by *until* (overdue ones first), by due time: a short list.

    A payment's due time is its payment clock's (the bank's `payment` task in the per-instalment
    payment period, due at midnight after the 30th working day from the receipt of notice and invoice).
    """
    query = (select(human_task.c.id.label("task_id"), human_task.c.instance_id, human_task.c.due_at,
                    human_task.c.due_provisional, process_instance.c.title, _BANK.c.code.label("bank"),
                    project.c.contract_price,
                    project.c.paid_total)
             .select_from(human_task.join(process_instance, process_instance.c.id == human_task.c.instance_id)
                          .join(project, project.c.instance_id == human_task.c.instance_id))
             .outerjoin(_BANK, _BANK.c.id == process_instance.c.bank_org_id)
             .where(human_task.c.status == "ready", human_task.c.task_name == PAYMENT_TASK,
                    human_task.c.due_at <= to_db(until),
                    instance_where(Resolved(resolved.flt.without_list_filters(), resolved.bank_id,
                                            resolved.department_id), now))
             .order_by(human_task.c.due_at, human_task.c.id))
    return list(conn.execute(query).all())


def _payment_list(rows: list[Any], calendar: Calendar, now: datetime) -> dict[str, Any]:
    items = [{"task_id": r.task_id, "instance_id": r.instance_id, "title": r.title, "bank": r.bank,
              "due": from_db(r.due_at).isoformat(), "provisional": bool(r.due_provisional),
              **due_status(calendar, from_db(r.due_at), now),
              "contract_price": str(r.contract_price) if r.contract_price is not None else None,
              "paid_total": str(r.paid_total)} for r in rows[:PAYMENT_ITEMS]]
    return {"total": len(rows), "items": items}


def _payment_lists(ctx: Services, conn: Connection, resolved: Resolved, calendar: Calendar) -> dict[str, Any]:
    """Return the payments overdue and those due within 5 working days, days counted by the statutory calendar."""
    now = ctx.clock.now()
    until = calendar.add_working_days(ctx.today(), DUE_SOON_WORKING_DAYS)
    rows = _payments(conn, resolved, now, start_of(until.due + timedelta(days=1)))
    overdue = [r for r in rows if from_db(r.due_at) <= now]
    soon = [r for r in rows if from_db(r.due_at) > now]
    return {"overdue": _payment_list(overdue, calendar, now),
            "due_soon": {**_payment_list(soon, calendar, now), "until": until.due.isoformat(),
                         "working_days": DUE_SOON_WORKING_DAYS}}


def _organizations(conn: Connection) -> dict[int, dict[str, str]]:
    rows = conn.execute(select(organization.c.id, organization.c.code, organization.c.name,
                               organization.c.name_en, organization.c.kind)
                        .where(organization.c.kind.in_(("bank", "department"))).order_by(organization.c.code))
    return {r.id: {"code": r.code, "name": r.name, "name_en": r.name_en, "kind": r.kind} for r in rows}


def overview_in(ctx: Services, conn: Connection, resolved: Resolved, calendar: Calendar) -> dict[str, Any]:
    """Return counts, amounts and payment lists inside the caller's read transaction (two queries)."""
    counts, amounts = _totals(conn, resolved)
    by_status: dict[str, int] = {}
    for row in counts:
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["instances"]
    return {"counts": counts, "by_status": by_status, "total": sum(by_status.values()),
            "amounts": amounts, "amount_totals": _sum_rows(amounts),
            **_payment_lists(ctx, conn, resolved, calendar)}


def page_in(ctx: Services, conn: Connection, resolved: Resolved, sort: Sort, page: int,
            per_page: int, calendar: Calendar, total: int | None = None) -> dict[str, Any]:
    """Return one page of the instance list inside the caller's read transaction (*total* if already counted)."""
    now = ctx.clock.now()
    per_page = max(1, min(per_page, listing.MAX_PER_PAGE))
    page = max(1, page)
    total = listing.count(conn, resolved, now) if total is None else total
    rows = listing.page_rows(conn, resolved, sort, now, (page - 1) * per_page, per_page)
    return {"total": total, "page": page, "per_page": per_page, "sort": sort.key, "descending": sort.descending,
            "items": [listing.item(r, from_db(r.payment_due) if r.payment_due else None, now, calendar) for r in rows]}


def overview(ctx: Services, actor: Actor, flt: InstanceFilter | None = None) -> dict[str, Any]:
    """Return the dashboard's counts, amounts and payment lists (dashboard roles only)."""
    require_dashboard(actor)
    calendar = ctx.calendar()
    with ctx.db.read() as conn:
        return overview_in(ctx, conn, resolve(conn, flt or InstanceFilter()), calendar)


def instance_page(ctx: Services, actor: Actor, flt: InstanceFilter | None = None, sort: Sort | None = None,
                  page: int = 1, per_page: int = 20) -> dict[str, Any]:
    """Return one page of the filtered, sorted instance list (dashboard roles only)."""
    require_dashboard(actor)
    calendar = ctx.calendar()
    with ctx.db.read() as conn:
        return page_in(ctx, conn, resolve(conn, flt or InstanceFilter()), sort or Sort(), page, per_page, calendar)


def dashboard(ctx: Services, actor: Actor, flt: InstanceFilter | None = None, sort: Sort | None = None,
              page: int = 1, per_page: int = 20) -> dict[str, Any]:
    """Return everything the dashboard shows, read in one consistent snapshot (the calendar's revision too)."""
    require_dashboard(actor)
    flt = flt or InstanceFilter()
    with ctx.db.read() as conn, ctx.calendars.using(conn):
        orgs, years = _choices(ctx, conn)
        resolved = resolve_known(flt, {(o["kind"], o["code"]): org_id for org_id, o in orgs.items()})
        calendar = ctx.calendar()
        overview = overview_in(ctx, conn, resolved, calendar)
        # the running totals answer both the counts and the list's total for a structured filter
        total = overview["total"] if flt.structured_only else None
        return {**overview, "instances": page_in(ctx, conn, resolved, sort or Sort(), page, per_page, calendar, total),
                "options": {"banks": [o for o in orgs.values() if o["kind"] == "bank"],
                            "departments": [o for o in orgs.values() if o["kind"] == "department"], "years": years}}


def _choices(ctx: Services, conn: Connection) -> tuple[dict[int, dict[str, str]], list[int]]:
    """Return the banks and departments by id, in code order, and the years that have projects: one statement.

    It reads the calendar's revision too, for the enclosing `calendars.using` block.
    """
    orgs = (select(organization.c.kind, organization.c.id, organization.c.code, organization.c.name,
                   organization.c.name_en, revision_column()).where(organization.c.kind.in_(("bank", "department"))))
    years = (select(literal("year").label("kind"), oversight_total.c.year, null(), null(), null(), revision_column())
             .distinct().where(oversight_total.c.year != 0, oversight_total.c.instances > 0))
    found: dict[int, dict[str, str]] = {}
    listed: list[int] = []
    for r in conn.execute(union_all(orgs, years).order_by("kind", "code", desc("id"))):
        ctx.calendars.note_revision(r.calendar_revision)
        if r.kind == "year":
            listed.append(int(r.id))
        else:
            found[r.id] = {"code": r.code, "name": r.name, "name_en": r.name_en, "kind": r.kind}
    return found, listed


def organizations(ctx: Services, actor: Actor) -> dict[str, dict[str, str]]:
    """Return the banks and departments by code, with their names (dashboard roles only)."""
    require_dashboard(actor)
    with ctx.db.read() as conn:
        return {o["code"]: o for o in _organizations(conn).values()}


def export_rows(ctx: Services, actor: Actor, flt: InstanceFilter | None = None,
                sort: Sort | None = None) -> Iterator[dict[str, Any]]:
    """Return every instance of the filtered, sorted list (for CSV and XLSX), read lazily in one snapshot."""
    require_dashboard(actor)
    with ctx.db.read() as conn:
        resolve(conn, flt or InstanceFilter())  # refuse a bad filter now, not halfway through a download
    return _export(ctx, flt or InstanceFilter(), sort or Sort())


def _export(ctx: Services, flt: InstanceFilter, sort: Sort) -> Iterator[dict[str, Any]]:
    now, calendar = ctx.clock.now(), ctx.calendar()
    with ctx.db.read() as conn:
        resolved = resolve(conn, flt)
        dues = {r[0]: from_db(r[1]) for r in conn.execute(
            select(human_task.c.instance_id, func.min(human_task.c.due_at))
            .where(human_task.c.status == "ready", human_task.c.task_name == PAYMENT_TASK,
                   human_task.c.due_at.is_not(None)).group_by(human_task.c.instance_id))}
        for row in listing.iter_rows(conn, resolved, sort, now):
            yield listing.item(row, dues.get(row.id), now, calendar)
