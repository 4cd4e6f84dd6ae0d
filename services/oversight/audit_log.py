"""The audit log for supervisors and administrators: every recorded action, refusals included.

Newest first by (at, id); each filter has an index that starts with it and ends with (at, id),
so a page reads a page of index entries however long the log grows. Pages are counted by
looking one row ahead, never by counting the whole log.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Connection, Select, and_, select, true

from models.tables import app_user, audit_event, organization, process_instance
from services.clock import CHINA, from_db, to_db
from services.context import Services
from services.errors import FieldError, ValidationError
from services.oversight.access import require_audit
from services.users import Actor

MAX_PER_PAGE = 200
EXPORT_BATCH = 1000
_ORG = organization.alias("actor_org")
COLUMNS = (audit_event.c.id, audit_event.c.at, audit_event.c.event, audit_event.c.instance_id, audit_event.c.task_id,
           audit_event.c.data, app_user.c.username, app_user.c.display_name, _ORG.c.code.label("organization"),
           _ORG.c.name.label("organization_name"), process_instance.c.title.label("instance_title"))


@dataclass(frozen=True)
class AuditFilter:
    """Narrows the log to a user, an organisation, an instance, an action and a range of days (China time)."""

    user: str | None = None
    organization: str | None = None
    instance_id: int | None = None
    event: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def _invalid(path: str, template: str, **params: Any) -> ValidationError:
    return ValidationError("The filter is not valid.", [FieldError(path, "invalid", template, params)])


def _lookup(conn: Connection, query: Any, path: str, value: str) -> int:
    found = conn.execute(query).scalar()
    if found is None:
        raise _invalid(path, "Unknown user or organisation {value}.", value=value)
    return found


def _day_start(day: date) -> datetime | None:
    return to_db(datetime.combine(day, time(0), CHINA))


def _where(conn: Connection, flt: AuditFilter) -> ColumnElement[bool]:
    clauses: list[ColumnElement[bool]] = []
    if flt.user:
        user_id = _lookup(conn, select(app_user.c.id).where(app_user.c.username == flt.user), "user", flt.user)
        clauses.append(audit_event.c.actor_id == user_id)
    if flt.organization:
        org_id = _lookup(conn, select(organization.c.id).where(organization.c.code == flt.organization),
                         "organization", flt.organization)
        clauses.append(audit_event.c.actor_id.in_(select(app_user.c.id).where(app_user.c.organization_id == org_id)))
    if flt.instance_id is not None:
        clauses.append(audit_event.c.instance_id == flt.instance_id)
    if flt.event:
        clauses.append(audit_event.c.event == flt.event)
    if flt.date_from and flt.date_to and flt.date_from > flt.date_to:
        raise _invalid("date_to", "The end date must not be earlier than the start date.")
    if flt.date_from:
        clauses.append(audit_event.c.at >= _day_start(flt.date_from))
    if flt.date_to:
        clauses.append(audit_event.c.at < _day_start(flt.date_to + timedelta(days=1)))
    return and_(true(), *clauses)


def _query(conn: Connection, flt: AuditFilter) -> Select[Any]:
    return (select(*COLUMNS).select_from(audit_event)
            .outerjoin(app_user, app_user.c.id == audit_event.c.actor_id)
            .outerjoin(_ORG, _ORG.c.id == app_user.c.organization_id)
            .outerjoin(process_instance, process_instance.c.id == audit_event.c.instance_id)
            .where(_where(conn, flt)).order_by(audit_event.c.at.desc(), audit_event.c.id.desc()))


def _item(row: Any) -> dict[str, Any]:
    return {"id": row.id, "at": from_db(row.at).isoformat(), "event": row.event, "user": row.username,
            "user_name": row.display_name, "organization": row.organization,
            "organization_name": row.organization_name, "instance_id": row.instance_id,
            "instance_title": row.instance_title, "task_id": row.task_id, "data": orjson.loads(row.data)}


def audit_page(ctx: Services, actor: Actor, flt: AuditFilter | None = None, page: int = 1,
               per_page: int = 50) -> dict[str, Any]:
    """Return one page of the audit log, newest first, and whether another page follows."""
    require_audit(actor)
    page, per_page = max(1, page), max(1, min(per_page, MAX_PER_PAGE))
    with ctx.db.read() as conn:
        query = _query(conn, flt or AuditFilter())
        rows = conn.execute(query.offset((page - 1) * per_page).limit(per_page + 1)).all()
    return {"page": page, "per_page": per_page, "has_next": len(rows) > per_page,
            "items": [_item(r) for r in rows[:per_page]]}


def export_events(ctx: Services, actor: Actor, flt: AuditFilter | None = None) -> Iterator[dict[str, Any]]:
    """Return every matching event, newest first, read lazily in one snapshot (for CSV and XLSX)."""
    require_audit(actor)
    flt = flt or AuditFilter()
    with ctx.db.read() as conn:
        _where(conn, flt)  # refuse a bad filter now, not halfway through a download
    return _export(ctx, flt)


def _export(ctx: Services, flt: AuditFilter) -> Iterator[dict[str, Any]]:
    with ctx.db.read() as conn:
        result = conn.execution_options(stream_results=True, yield_per=EXPORT_BATCH).execute(_query(conn, flt))
        for row in result:
            yield _item(row)
