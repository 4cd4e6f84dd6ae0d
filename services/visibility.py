"""Who may see which instance: bureau-wide roles everything, others their own organisation's."""
from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, true

from models.tables import process_instance
from services.users import Actor


def can_see_instance(actor: Actor, department_org_id: int | None, bank_org_id: int | None) -> bool:
    """Return True if *actor* may see an instance owned by these organisations."""
    if actor.sees_all:
        return True
    if "department" in actor.roles and department_org_id == actor.org_id:
        return True
    return "bank" in actor.roles and bank_org_id == actor.org_id


def visible_instances(actor: Actor) -> ColumnElement[bool]:
    """Return a WHERE clause limiting process_instance to what *actor* may see."""
    if actor.sees_all:
        return true()
    clauses = []
    if "department" in actor.roles:
        clauses.append(process_instance.c.department_org_id == actor.org_id)
    if "bank" in actor.roles:
        clauses.append(process_instance.c.bank_org_id == actor.org_id)
    return or_(*clauses) if clauses else false()
