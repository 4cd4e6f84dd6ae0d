"""The host's part of `bpmn/allocation.bpmn`: check the bureau's figures, fix the approved allocation."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from models.tables import allocation, allocation_run, allocation_share, process_instance
from services import audit
from services.clock import to_db
from services.errors import ConflictError, FieldError, ValidationError
from services.money.allocation import AllocationInputError, allocate
from services.users import org_id_by_code

PROCESS_ID = "allocation"
UNTITLED = "合作金融资金年度分配"


def title(data: Mapping[str, Any]) -> str | None:
    """Return the instance's title once its year is known."""
    year = data.get("allocation_year")
    return f"{year}年度合作金融资金分配" if isinstance(year, int) else None


def on_start(conn: Connection, instance_id: int) -> None:
    """Remember the new allocation run (its year follows with the bureau's figures)."""
    conn.execute(insert(allocation_run).values(instance_id=instance_id, year=None))


def on_data(conn: Connection, instance_id: int, before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
    """Keep the run's year in step with the process data."""
    year = after.get("allocation_year")
    if isinstance(year, int) and year != before.get("allocation_year"):
        conn.execute(update(allocation_run).where(allocation_run.c.instance_id == instance_id).values(year=year))


def is_fixed(conn: Connection, year: int) -> bool:
    """Return True if *year*'s allocation has been fixed."""
    return conn.execute(select(allocation.c.id).where(allocation.c.year == year)).first() is not None


def _running_elsewhere(conn: Connection, year: int, instance_id: int) -> bool:
    return conn.execute(
        select(allocation_run.c.instance_id)
        .join(process_instance, process_instance.c.id == allocation_run.c.instance_id)
        .where(allocation_run.c.year == year, allocation_run.c.instance_id != instance_id,
               process_instance.c.status == "running")).first() is not None


def _setup_errors(conn: Connection, instance_id: int, data: Mapping[str, Any]) -> list[FieldError]:
    errors, seen = [], set()
    rows = data.get("card_counts") or []
    for index, row in enumerate(rows):
        if row["bank"] in seen:
            errors.append(FieldError(f"card_counts.{index}.bank", "duplicate", "This bank is listed twice."))
        seen.add(row["bank"])
    if rows and not any(row["card_count"] for row in rows):
        errors.append(FieldError("card_counts", "allZero", "At least one bank must have cards: all counts are zero."))
    year = data["allocation_year"]
    if is_fixed(conn, year):
        errors.append(FieldError("allocation_year", "fixed", "The allocation of {year} is already fixed.",
                                 {"year": year}))
    elif _running_elsewhere(conn, year, instance_id):
        errors.append(FieldError("allocation_year", "running", "Another allocation of {year} is under way.",
                                 {"year": year}))
    return errors


def check_task(conn: Connection, instance_id: int, task_name: str, data: Mapping[str, Any]) -> None:
    """Refuse figures the form cannot check: a bank twice, no cards at all, a year already allocated."""
    if task_name != "allocation_setup":
        return
    errors = _setup_errors(conn, instance_id, data)
    if errors:
        raise ValidationError("The form has errors", errors)


def fix_allocation(conn: Connection, instance_id: int, data: Mapping[str, Any], actor_id: int,
                   at: datetime) -> int:
    """Store the year's allocation and its shares with the counts they were computed from; return its id."""
    year, pool = data["allocation_year"], Decimal(data["allocation_pool"])
    if is_fixed(conn, year):
        raise ConflictError(f"the allocation of {year} is already fixed")
    cards = {str(row["bank"]): int(row["card_count"]) for row in data["confirmed_counts"]}
    try:
        shares = allocate(pool, cards)
    except AllocationInputError as exc:
        raise ValidationError(f"the allocation cannot be fixed: {exc}") from exc
    try:
        allocation_id = conn.execute(insert(allocation).values(
            year=year, pool=pool, approved_by=actor_id, approved_at=to_db(at), instance_id=instance_id,
        )).inserted_primary_key[0]
    except IntegrityError as exc:
        raise ConflictError(f"the allocation of {year} was fixed by someone else at the same time") from exc
    conn.execute(insert(allocation_share), [
        {"allocation_id": allocation_id, "bank_org_id": org_id_by_code(conn, bank), "card_count": cards[bank],
         "share": shares[bank]} for bank in sorted(cards)])
    audit.record(conn, "allocation_fixed", at, actor_id=actor_id, instance_id=instance_id,
                 data={"year": year, "pool": str(pool), "shares": {b: str(s) for b, s in sorted(shares.items())},
                       "card_counts": dict(sorted(cards.items()))})
    return allocation_id


def on_task_completed(conn: Connection, instance_id: int, task_name: str, submitted: Mapping[str, Any],
                      data: Mapping[str, Any], actor_id: int, at: datetime) -> None:
    """Fix the allocation when the bureau head approves it."""
    if task_name == "allocation_approve" and submitted.get("allocation_decision") == "approve":
        fix_allocation(conn, instance_id, data, actor_id, at)
