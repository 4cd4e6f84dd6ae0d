"""Move a project from one bank's draft fund use plan to another's (the bureau), in one locked transaction.

Both plans must still be drafts (at `plan_prepare`): a plan in review, at sign-off or with the bank
keeps its projects. The target is named by its plan, or by its bank, whose draft plan of the same
year and round is used (and opened when that bank has none). The project's bank changes wherever it
is stored: its instance and project rows and the running totals; the project's workflow learns its
bank from the plan's outcome message, which carries it. Every move is audited on the project and on
both plans. A refused move changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Row, select, update

from models.tables import fund_plan, fund_plan_item, organization, process_instance, project
from services import audit
from services.clock import to_db
from services.context import Services
from services.errors import ConflictError, FieldError, NotFound, PermissionDenied, ValidationError
from services.oversight import totals
from services.plans import records
from services.users import Actor

MOVERS = frozenset({"hrss"})
DRAFT = "draft"
@dataclass(frozen=True)
class Target:
    """Where the project should go: a plan by its instance id, or a bank (by code) whose draft plan takes it."""

    plan_id: int | None = None
    bank: str | None = None


def _refuse(path: str, code: str, template: str, **params: Any) -> ValidationError:
    return ValidationError(template.format(**params), [FieldError(path, code, template, params)])


def _lock(ctx: Services, conn: Connection, ids: list[int]) -> None:
    """Lock the instances in id order (FOR UPDATE on PostgreSQL; SQLite's write is BEGIN IMMEDIATE)."""
    query = select(process_instance.c.id).where(process_instance.c.id.in_(sorted(set(ids)))).order_by(
        process_instance.c.id)
    conn.execute(query.with_for_update() if ctx.db.is_postgresql else query).all()


def _plan(conn: Connection, plan_id: int) -> Row[Any] | None:
    return conn.execute(select(fund_plan, organization.c.code.label("bank"))
                        .join(organization, organization.c.id == fund_plan.c.bank_org_id)
                        .where(fund_plan.c.instance_id == plan_id)).first()


NOT_DRAFT = {"source": "This plan is no longer a draft: its projects can no longer be moved.",
             "target": "The target plan is no longer a draft: it takes no more projects."}


def _require_draft(plan: Row[Any], which: str) -> None:
    if plan.status != DRAFT:
        raise ConflictError(NOT_DRAFT[which])


def _bank_id(conn: Connection, code: str) -> int:
    found = conn.execute(select(organization.c.id).where(organization.c.code == code,
                                                         organization.c.kind == "bank")).scalar()
    if found is None:
        raise _refuse("target_bank", "enum", "{bank} is not a cooperating bank.", bank=code)
    return int(found)


def _draft_of(ctx: Services, conn: Connection, actor: Actor, code: str, source: Row[Any], at: datetime) -> int:
    """Return the bank's draft plan of the source's year and round, started now if the bank has none."""
    from services.plans import joining  # it starts plan instances through services.instances

    bank_id = _bank_id(conn, code)
    found = records.open_draft(conn, bank_id, source.year, source.round_id)
    if found is not None:
        return int(found)
    return joining.start_plan(ctx, conn, actor.id, code, bank_id, source.year, source.round_id, at)


def _target_plan(ctx: Services, conn: Connection, actor: Actor, target: Target, source: Row[Any],
                 at: datetime) -> Row[Any]:
    if (target.plan_id is None) == (target.bank is None):
        raise _refuse("target", "required", "Name either the target plan or the target bank, not both.")
    if target.plan_id is not None:
        plan_id = target.plan_id
    else:
        plan_id = _draft_of(ctx, conn, actor, str(target.bank), source, at)
        _lock(ctx, conn, [plan_id])
    plan = _plan(conn, plan_id)
    if plan is None:
        raise _refuse("target_plan_id", "not_found", "There is no plan {plan}.", plan=plan_id)
    return plan


def _check(source: Row[Any], target: Row[Any]) -> None:
    if target.instance_id == source.instance_id:
        raise _refuse("target", "same_plan", "The project is already in this bank's plan: nothing to move.")
    if target.year != source.year:
        raise _refuse("target_plan_id", "year", "The target plan is for {year}; a project stays in its year.",
                      year=target.year)
    _require_draft(target, "target")


def _rebank(ctx: Services, conn: Connection, project_id: int, bank_id: int, at: datetime) -> None:
    row = conn.execute(select(process_instance).where(process_instance.c.id == project_id)).one()
    conn.execute(update(process_instance).where(process_instance.c.id == project_id).values(
        bank_org_id=bank_id, version=row.version + 1, updated_at=to_db(at)))
    before = totals.Place(row.bank_org_id, row.department_org_id, row.stage, row.status)
    totals.follow(conn, project_id, before, before._replace(bank_org_id=bank_id))


def _item(conn: Connection, project_id: int) -> Row[Any] | None:
    return conn.execute(select(fund_plan_item, project.c.name).join(
        project, project.c.instance_id == fund_plan_item.c.project_instance_id)
        .where(fund_plan_item.c.project_instance_id == project_id)).first()


def _side(plan: Row[Any]) -> dict[str, Any]:
    return {"plan_id": plan.instance_id, "bank": plan.bank, "number": plan.number, "year": plan.year,
            "round_id": plan.round_id}


def move_project(ctx: Services, actor: Actor, plan_id: int, project_id: int, target: Target) -> dict[str, Any]:
    """Move *project_id* from the draft plan *plan_id* to the target's draft plan; return both sides."""
    if not actor.roles & MOVERS:
        raise PermissionDenied("only the bureau (hrss) may move projects between plans")
    at = ctx.clock.now()
    with ctx.db.write() as conn:
        _lock(ctx, conn, [plan_id, project_id, *([target.plan_id] if target.plan_id is not None else [])])
        source = _plan(conn, plan_id)
        if source is None:
            raise NotFound(f"plan {plan_id} does not exist")
        _require_draft(source, "source")
        item = _item(conn, project_id)
        if item is None or item.plan_instance_id != plan_id:
            raise _refuse("project_id", "not_in_plan", "Project {project} is not in this plan.", project=project_id)
        goal = _target_plan(ctx, conn, actor, target, source, at)
        _check(source, goal)
        conn.execute(update(fund_plan_item).where(fund_plan_item.c.project_instance_id == project_id)
                     .values(plan_instance_id=goal.instance_id, added_at=to_db(at)))
        _rebank(ctx, conn, project_id, goal.bank_org_id, at)
        moved = {"project_id": project_id, "name": item.name, "amount": str(Decimal(item.amount)),
                 "source": _side(source), "target": _side(goal)}
        for instance in (project_id, source.instance_id, goal.instance_id):
            audit.record(conn, "plan_project_moved", at, actor_id=actor.id, instance_id=instance, data=moved)
    return moved
