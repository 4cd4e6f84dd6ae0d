"""The fixed allocations and the runs that lead to them, as each person may see them."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from models.tables import (
    allocation, allocation_run, allocation_share, app_user, human_task, organization, process_instance,
)
from services.clock import from_db
from services.context import Services
from services.declaration.years import check_year
from services.errors import PermissionDenied
from services.instances import start_instance
from services.tasks import may_complete
from services.money.allocation_process import PROCESS_ID
from services.users import Actor

ALL_ROWS_ROLES = frozenset({"hrss", "hrss_head", "supervisor"})


def allocation_for(conn: Connection, year: int) -> dict[int, Decimal] | None:
    """Return {bank organisation id: share} of *year*'s fixed allocation, None if it is not fixed yet."""
    found = conn.execute(select(allocation.c.id).where(allocation.c.year == year)).scalar()
    if found is None:
        return None
    rows = conn.execute(select(allocation_share.c.bank_org_id, allocation_share.c.share)
                        .where(allocation_share.c.allocation_id == found))
    return {r.bank_org_id: r.share for r in rows}


def _scope(actor: Actor) -> int | None:
    """Return None if *actor* sees every bank's row, else the one bank it may see."""
    if actor.roles & ALL_ROWS_ROLES:
        return None
    if "bank" in actor.roles:
        return actor.org_id
    raise PermissionDenied("only the bureau, supervisors and the cooperating banks may see allocations")


def _shares(conn: Connection, allocation_id: int, bank: int | None) -> list[dict[str, Any]]:
    query = (select(organization.c.code, organization.c.name, organization.c.name_en, allocation_share.c.card_count,
                    allocation_share.c.share)
             .join(organization, organization.c.id == allocation_share.c.bank_org_id)
             .where(allocation_share.c.allocation_id == allocation_id).order_by(organization.c.code))
    if bank is not None:
        query = query.where(allocation_share.c.bank_org_id == bank)
    return [{"bank": r.code, "bank_name": r.name, "bank_name_en": r.name_en, "card_count": r.card_count,
             "share": str(r.share)} for r in conn.execute(query)]


def _fixed(conn: Connection, year: int, bank: int | None) -> dict[str, Any] | None:
    row = conn.execute(select(allocation, app_user.c.display_name).join(
        app_user, app_user.c.id == allocation.c.approved_by).where(allocation.c.year == year)).first()
    if row is None:
        return None
    shares = _shares(conn, row.id, bank)
    fixed = {"year": year, "approved_by": row.display_name, "approved_at": from_db(row.approved_at).isoformat(),
             "instance_id": row.instance_id, "shares": shares}
    if bank is None:
        fixed.update(pool=str(row.pool), total_cards=sum(s["card_count"] for s in shares))
    return fixed


def _runs(conn: Connection, year: int, bank: int | None, actor: Actor) -> list[dict[str, Any]]:
    rows = conn.execute(select(process_instance.c.id, process_instance.c.title, process_instance.c.status,
                               process_instance.c.stage, process_instance.c.created_at)
                        .join(allocation_run, allocation_run.c.instance_id == process_instance.c.id)
                        .where(allocation_run.c.year == year).order_by(process_instance.c.id)).all()
    runs = []
    for r in rows:
        tasks = conn.execute(select(human_task.c.id, human_task.c.task_name, human_task.c.title, human_task.c.lane,
                                    human_task.c.org_id, human_task.c.assignee_id, organization.c.code,
                                    organization.c.name.label("org_name"), organization.c.name_en.label("org_name_en"))
                             .outerjoin(organization, organization.c.id == human_task.c.org_id)
                             .where(human_task.c.instance_id == r.id, human_task.c.status == "ready")
                             .order_by(human_task.c.created_at, human_task.c.id)).all()
        if bank is not None:
            tasks = [t for t in tasks if t.org_id == bank]
            if not tasks:
                continue
        runs.append({"instance_id": r.id, "title": r.title, "status": r.status, "stage": r.stage,
                     "created_at": from_db(r.created_at).isoformat(),
                     "open_tasks": [{"id": t.id, "name": t.task_name, "title": t.title, "lane": t.lane, "bank": t.code,
                                     "bank_name": t.org_name, "bank_name_en": t.org_name_en,
                                     "actionable": may_complete(actor, t.lane, t.org_id, t.assignee_id)} for t in tasks]})
    return runs


def allocation_page(ctx: Services, actor: Actor, year: int) -> dict[str, Any]:
    """Return *year*'s allocation (a bank sees only its own share and count) and the runs toward it."""
    check_year(year)
    bank = _scope(actor)
    with ctx.db.read() as conn:
        fixed = _fixed(conn, year, bank)
        runs = _runs(conn, year, bank, actor)
    running = any(r["status"] == "running" for r in runs)
    return {"year": year, "fixed": fixed, "runs": runs, "own_rows_only": bank is not None,
            "may_start": "hrss" in actor.roles and fixed is None and not running}


def list_allocations(ctx: Services, actor: Actor) -> list[dict[str, Any]]:
    """Return every fixed allocation, newest year first, as *actor* may see it."""
    bank = _scope(actor)
    with ctx.db.read() as conn:
        years = conn.execute(select(allocation.c.year).order_by(allocation.c.year.desc())).scalars().all()
        return [fixed for year in years if (fixed := _fixed(conn, year, bank)) is not None]


def start_allocation(ctx: Services, actor: Actor, data: Any = None,
                     initial: dict[str, Any] | None = None) -> dict[str, Any]:
    """Start an allocation run as the bureau; with *data*, submit the pool and card counts at once.

    *initial* is process data the host sets before the first form (the year the page was opened for).
    """
    if initial is not None:
        initial = {"allocation_year": check_year(initial.get("allocation_year"))}
    return start_instance(ctx, actor, PROCESS_ID, data, initial=initial)
