"""What the dashboard is narrowed to, and the WHERE clauses that narrow it (index-friendly)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, or_, select, true

from models.tables import human_task, organization, project
from services.clock import to_db
from services.errors import FieldError, ValidationError

PAYMENT_TASK = "payment"
MAX_TEXT = 100


@dataclass(frozen=True)
class InstanceFilter:
    """Narrows the dashboard: structured filters, overdue payments only, and free text."""

    year: int | None = None
    round: str | None = None
    stage: str | None = None
    status: str | None = None
    bank: str | None = None
    department: str | None = None
    category: str | None = None
    overdue: bool = False
    text: str | None = None

    @property
    def structured_only(self) -> bool:
        """Return True if the running totals can answer for this filter (no text, not overdue)."""
        return not self.overdue and not self.text

    def without_list_filters(self) -> InstanceFilter:
        """Return the filter without `overdue` (the overdue list is overdue anyway)."""
        return replace(self, overdue=False)

    def as_args(self) -> dict[str, Any]:
        """Return the filter's set values by name (for links and exports)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) not in (None, False, "")}


@dataclass(frozen=True)
class Resolved:
    """A filter with its organisation codes turned into ids."""

    flt: InstanceFilter
    bank_id: int | None
    department_id: int | None


def _org_id(ids: Mapping[tuple[str, str], int], code: str | None, kind: str) -> int | None:
    if not code:
        return None
    found = ids.get((kind, code))
    if found is None:
        raise ValidationError("The filter is not valid.",
                              [FieldError(kind, "unknown", "Unknown organisation {code}.", {"code": code})])
    return found


def resolve_known(flt: InstanceFilter, ids: Mapping[tuple[str, str], int]) -> Resolved:
    """Return *flt* with its bank and department codes turned into ids by *ids* ((kind, code) -> id).

    Unknown codes are invalid."""
    if flt.text and len(flt.text) > MAX_TEXT:
        raise ValidationError("The filter is not valid.",
                              [FieldError("q", "maxLength", "Enter at most {limit} characters.", {"limit": MAX_TEXT})])
    return Resolved(flt, _org_id(ids, flt.bank, "bank"), _org_id(ids, flt.department, "department"))


def resolve(conn: Connection, flt: InstanceFilter) -> Resolved:
    """Return *flt* with its bank and department codes looked up (one statement at most); unknown codes are invalid."""
    codes = [code for code in (flt.bank, flt.department) if code]
    rows = conn.execute(select(organization.c.kind, organization.c.code, organization.c.id)
                        .where(organization.c.code.in_(codes))).all() if codes else []
    return resolve_known(flt, {(r.kind, r.code): r.id for r in rows})


def overdue_tasks(now: datetime) -> ColumnElement[bool]:
    """Return the WHERE clause of payment tasks at or past their due time (served by ix_human_task_due)."""
    return and_(human_task.c.status == "ready", human_task.c.task_name == PAYMENT_TASK,
                human_task.c.due_at <= to_db(now))


def instance_where(resolved: Resolved, now: datetime) -> ColumnElement[bool]:
    """Return the WHERE clause over the project table alone (its copied place included)."""
    flt = resolved.flt
    clauses: list[ColumnElement[bool]] = []
    for column, value in ((project.c.year, flt.year), (project.c.round, flt.round),
                          (project.c.category, flt.category), (project.c.stage, flt.stage),
                          (project.c.status, flt.status), (project.c.bank_org_id, resolved.bank_id),
                          (project.c.department_org_id, resolved.department_id)):
        if value is not None and value != "":
            clauses.append(column == value)
    if flt.text:
        clauses.append(or_(*[column.icontains(flt.text, autoescape=True) for column in (
            project.c.name, project.c.procurement_no, project.c.contractor, project.c.contract_no)]))
    if flt.overdue:
        clauses.append(project.c.instance_id.in_(select(human_task.c.instance_id).where(overdue_tasks(now))))
    return and_(true(), *clauses)


def totals_filters(resolved: Resolved) -> dict[str, Any]:
    """Return the structured filter as key values of the running totals."""
    flt = resolved.flt
    return {"year": flt.year, "round": flt.round or None, "category": flt.category or None,
            "stage": flt.stage or None, "status": flt.status or None, "bank_org_id": resolved.bank_id,
            "department_org_id": resolved.department_id}
