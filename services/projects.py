"""Project lists for people: what a user may see, filtered and paged."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, func, select

from models.tables import organization, process_instance, project
from services.clock import from_db
from services.context import Services
from services.fund_project import MONEY_COLUMNS
from services.users import Actor
from services.visibility import visible_instances

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class ProjectFilter:
    """What a project list is narrowed to."""

    year: int | None = None
    round: str | None = None
    stage: str | None = None
    status: str | None = None
    text: str | None = None


def _filtered(query: Select[Any], actor: Actor, flt: ProjectFilter) -> Select[Any]:
    query = query.where(visible_instances(actor))
    if flt.year is not None:
        query = query.where(project.c.year == flt.year)
    if flt.round:
        query = query.where(project.c.round == flt.round)
    if flt.stage:
        query = query.where(process_instance.c.stage == flt.stage)
    if flt.status:
        query = query.where(process_instance.c.status == flt.status)
    if flt.text:
        query = query.where(process_instance.c.title.contains(flt.text, autoescape=True))
    return query


def _row(r: Any) -> dict[str, Any]:
    money = {k: str(r._mapping[k]) if r._mapping[k] is not None else None for k in MONEY_COLUMNS}
    return {
        "instance_id": r.id, "title": r.title, "status": r.status, "stage": r.stage,
        "year": r.year, "round": r.round, "category": r.category, "department": r.department,
        "bank": r.bank, "created_at": from_db(r.created_at).isoformat(),
        "updated_at": from_db(r.updated_at).isoformat(), **money,
    }


def list_projects(ctx: Services, actor: Actor, flt: ProjectFilter | None = None, *, page: int = 1,
                  per_page: int = 20) -> dict[str, Any]:
    """Return one page of the projects *actor* may see, newest first, with the total count."""
    with ctx.db.read() as conn:
        return _listed(conn, actor, flt or ProjectFilter(), page, per_page)


def _listed(conn: Connection, actor: Actor, flt: ProjectFilter, page: int, per_page: int) -> dict[str, Any]:
    per_page = max(1, min(per_page, MAX_PAGE_SIZE))
    page = max(1, page)
    dept, bank = organization.alias("dept"), organization.alias("bank")
    base = (
        select(process_instance.c.id, process_instance.c.title, process_instance.c.status,
               process_instance.c.stage, process_instance.c.created_at, process_instance.c.updated_at,
               project.c.year, project.c.round, project.c.category,
               *[project.c[k] for k in sorted(MONEY_COLUMNS)],
               dept.c.code.label("department"), bank.c.code.label("bank"))
        .join(project, project.c.instance_id == process_instance.c.id)
        .outerjoin(dept, dept.c.id == process_instance.c.department_org_id)
        .outerjoin(bank, bank.c.id == process_instance.c.bank_org_id)
    )
    query = _filtered(base, actor, flt)
    counted = _filtered(select(func.count()).select_from(process_instance.join(
        project, project.c.instance_id == process_instance.c.id)), actor, flt)
    total = conn.execute(counted).scalar_one()
    rows = conn.execute(query.order_by(process_instance.c.id.desc())
                        .limit(per_page).offset((page - 1) * per_page)).all()
    return {"total": total, "page": page, "per_page": per_page, "items": [_row(r) for r in rows]}


def project_list_page(ctx: Services, actor: Actor, flt: ProjectFilter | None = None, *, page: int = 1,
                      per_page: int = 20) -> dict[str, Any]:
    """Return one page of projects with the names of the organisations they mention (one read transaction)."""
    with ctx.db.read() as conn:
        result = _listed(conn, actor, flt or ProjectFilter(), page, per_page)
        codes = {c for item in result["items"] for c in (item["department"], item["bank"]) if c}
        names: dict[str, dict[str, str]] = {}
        if codes:
            rows = conn.execute(select(organization.c.code, organization.c.name, organization.c.name_en)
                                .where(organization.c.code.in_(codes)))
            names = {r.code: {"code": r.code, "name": r.name, "name_en": r.name_en} for r in rows}
    return {**result, "organizations": names}
