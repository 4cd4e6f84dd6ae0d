"""The card function list (应用功能清单, §5): the bureau maintains it, a declaration picks from it."""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, Select, delete, func, insert, select, update

from models.tables import card_function, organization, project
from services import audit
from services.clock import to_db
from services.context import Services
from services.errors import ConflictError, FieldError, NotFound, PermissionDenied, ValidationError
from services.users import Actor

CODE_RE = re.compile(r"^[a-z][a-z0-9-]{1,63}$")
MAX_NAME, MAX_DESCRIPTION = 100, 2000
MAINTAINERS = frozenset({"hrss"})
TAKEN = {"code": "Another card function already has this code.",
         "name": "Another card function already has this name."}


def require_maintainer(actor: Actor | None) -> None:
    """Refuse anyone but the bureau (role hrss); None is the command line's operator."""
    if actor is not None and not actor.roles & MAINTAINERS:
        raise PermissionDenied("only the bureau (hrss) may maintain the card function list")


def function_choices(*, active_only: bool = True) -> Select[Any]:
    """Return the query of (code, name, position) of the card functions (the active ones unless told), in list order."""
    query = select(card_function.c.code, card_function.c.name,
                   func.row_number().over(order_by=card_function.c.id).label("position")).order_by(card_function.c.id)
    return query.where(card_function.c.active.is_(True)) if active_only else query


def function_id(conn: Connection, code: str) -> int | None:
    """Return the id of card function *code*, None if there is none."""
    return conn.execute(select(card_function.c.id).where(card_function.c.code == code)).scalar()


def _rows(conn: Connection, code: str | None = None) -> list[dict[str, Any]]:
    used = (select(project.c.card_function_id, func.count().label("uses"))
            .group_by(project.c.card_function_id).subquery())
    query = (select(card_function, organization.c.code.label("department"),
                    organization.c.name.label("department_name"), organization.c.name_en.label("department_name_en"),
                    func.coalesce(used.c.uses, 0).label("uses"))
             .join(organization, organization.c.id == card_function.c.department_org_id)
             .outerjoin(used, used.c.card_function_id == card_function.c.id).order_by(card_function.c.id))
    if code is not None:
        query = query.where(card_function.c.code == code)
    return [{"id": r.id, "code": r.code, "name": r.name, "description": r.description,
             "department": r.department, "department_name": r.department_name,
             "department_name_en": r.department_name_en, "active": r.active,
             "uses": r.uses} for r in conn.execute(query)]


def list_functions(ctx: Services, *, active_only: bool = False) -> list[dict[str, Any]]:
    """Return the card functions with their department and how many projects use each."""
    with ctx.db.read() as conn:
        rows = _rows(conn)
    return [r for r in rows if r["active"]] if active_only else rows


def get_function(ctx: Services, code: str) -> dict[str, Any]:
    """Return one card function; NotFound if there is none."""
    with ctx.db.read() as conn:
        return _one(conn, code)


def _one(conn: Connection, code: str) -> dict[str, Any]:
    rows = _rows(conn, code)
    if not rows:
        raise NotFound(f"card function {code!r} does not exist")
    return rows[0]


def _department(conn: Connection, code: Any, errors: list[FieldError]) -> int | None:
    found = conn.execute(select(organization.c.id).where(
        organization.c.code == str(code or ""), organization.c.kind == "department")).scalar()
    if found is None:
        errors.append(FieldError("department", "choice", "Choose one of the departments."))
    return found


def _text(values: dict[str, Any], name: str, limit: int, errors: list[FieldError], required: bool) -> str:
    value = values.get(name)
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        errors.append(FieldError(name, "required", "This field is required."))
    elif len(text) > limit:
        errors.append(FieldError(name, "maxLength", "Enter at most {limit} characters.", {"limit": limit}))
    return text


def _checked(conn: Connection, values: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
    errors: list[FieldError] = []
    row: dict[str, Any] = {}
    if current is None:
        code = values.get("code") if isinstance(values.get("code"), str) else ""
        if not CODE_RE.match(code):
            errors.append(FieldError("code", "pattern", "A code has 2–64 characters: a-z first, then a-z, 0-9 and -."))
        row["code"] = code
    if current is None or "name" in values:
        row["name"] = _text(values, "name", MAX_NAME, errors, required=True)
    if current is None or "description" in values:
        row["description"] = _text(values, "description", MAX_DESCRIPTION, errors, required=False)
    if current is None or "department" in values:
        row["department_org_id"] = _department(conn, values.get("department"), errors)
    if "active" in values:
        if not isinstance(values["active"], bool):
            errors.append(FieldError("active", "type", "Enter a value of type {expected}.", {"expected": "boolean"}))
        row["active"] = values["active"]
    errors += _taken(conn, row, current["id"] if current else None, {e.path for e in errors})
    if errors:
        raise ValidationError("The card function has errors", errors)
    return row


def _taken(conn: Connection, row: dict[str, Any], own_id: int | None, bad: set[str]) -> list[FieldError]:
    errors = []
    for column in ("code", "name"):
        if column not in row or column in bad:
            continue
        clash = conn.execute(select(card_function.c.id).where(card_function.c[column] == row[column])).scalar()
        if clash is not None and clash != own_id:
            errors.append(FieldError(column, "taken", TAKEN[column]))
    return errors


def add_function(ctx: Services, actor: Actor | None, values: dict[str, Any]) -> dict[str, Any]:
    """Add a card function to the list (active); the bureau only."""
    require_maintainer(actor)
    now = to_db(ctx.clock.now())
    with ctx.db.write() as conn:
        row = _checked(conn, values, None)
        conn.execute(insert(card_function).values(**row, active=True, created_at=now, updated_at=now))
        audit.record(conn, "card_function_added", ctx.clock.now(), actor_id=actor.id if actor else None,
                     data={"code": row["code"], "name": row["name"]})
        return _one(conn, row["code"])


def update_function(ctx: Services, actor: Actor | None, code: str, values: dict[str, Any]) -> dict[str, Any]:
    """Change a card function's name, description, department or whether it is active (its code stays)."""
    require_maintainer(actor)
    unknown = sorted(set(values) - {"name", "description", "department", "active"})
    if unknown:
        raise ValidationError("The card function has errors",
                              [FieldError(name, "additionalProperties", "Unknown field.") for name in unknown])
    with ctx.db.write() as conn:
        current = _one(conn, code)
        row = _checked(conn, values, current)
        if row:
            conn.execute(update(card_function).where(card_function.c.id == current["id"])
                         .values(**row, updated_at=to_db(ctx.clock.now())))
            changed = {k: v for k, v in row.items() if k != "department_org_id"}
            if "department_org_id" in row:
                changed["department"] = values.get("department")
            audit.record(conn, "card_function_updated", ctx.clock.now(), actor_id=actor.id if actor else None,
                         data={"code": code, "changed": changed})
        return _one(conn, code)


def delete_function(ctx: Services, actor: Actor | None, code: str) -> None:
    """Delete a card function no project has used; a used one can only be deactivated."""
    require_maintainer(actor)
    with ctx.db.write() as conn:
        current = _one(conn, code)
        if current["uses"]:
            raise ConflictError("this card function is used by declarations: deactivate it instead")
        conn.execute(delete(card_function).where(card_function.c.id == current["id"]))
        audit.record(conn, "card_function_deleted", ctx.clock.now(), actor_id=actor.id if actor else None,
                     data={"code": code, "name": current["name"]})


def ensure_function(conn: Connection, code: str, name: str, description: str, department_org_id: int,
                    at: Any) -> None:
    """Add card function *code* unless it exists (for the demo data)."""
    if function_id(conn, code) is None:
        conn.execute(insert(card_function).values(code=code, name=name, description=description,
                                                  department_org_id=department_org_id, active=True,
                                                  created_at=to_db(at), updated_at=to_db(at)))
