"""A project joins its bank's open draft plan when the bureau assigns it a bank (`assign_bank`)."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from models.tables import organization, project
from models.types import to_money
from services import audit
from services.context import Services
from services.errors import ConflictError, ServiceError
from services.plans import records
from services.users import actor_by_id, org_id_by_code

PROCESS_ID = "fund_plan"


def start_plan(ctx: Services, conn: Connection, actor_id: int, bank_code: str, bank_org_id: int, year: int,
               round_id: int | None, at: datetime) -> int:
    """Start a new draft fund plan of the bank for *year* (and round) and return its instance id.

    The plan gets the bank's next number for the year and is started by *actor_id*, in the caller's
    transaction (*conn*); it lists no project yet. Callers make sure no draft plan is open already.
    """
    from services.instances import start_in  # the instances module needs the hooks that call this one

    number = records.next_number(conn, bank_org_id, year)
    bank_name = conn.execute(select(organization.c.name).where(organization.c.id == bank_org_id)).scalar_one()
    started, _workflow = start_in(ctx, conn, actor_by_id(conn, actor_id), PROCESS_ID,
                                  {"bank": bank_code, "bank_name": bank_name, "plan_year": year, "plan_number": number})
    records.create(conn, started["instance_id"], bank_org_id, year, round_id, number, at)
    return int(started["instance_id"])


def join_plan(ctx: Services, conn: Connection, project_instance_id: int, data: Mapping[str, Any], actor_id: int,
              at: datetime) -> int:
    """List the project in its bank's draft plan for its year (and round), creating the plan on demand.

    Runs in the transaction of the `assign_bank` step; return the plan's instance id.
    """
    row = conn.execute(select(project.c.year, project.c.round_id).where(
        project.c.instance_id == project_instance_id)).first()
    if row is None or row.year is None:
        raise ServiceError(f"project {project_instance_id} has no declaration year")
    if records.plan_of_project(conn, project_instance_id) is not None:
        raise ConflictError("this project is already listed in a fund use plan")
    bank_code = str(data["bank"])
    bank_org_id = org_id_by_code(conn, bank_code)
    plan_id = records.open_draft(conn, bank_org_id, row.year, row.round_id)
    if plan_id is None:
        plan_id = start_plan(ctx, conn, actor_id, bank_code, bank_org_id, row.year, row.round_id, at)
    records.add_item(conn, plan_id, project_instance_id, to_money(data["plan_amount"]),
                     str(data.get("plan_remarks") or ""), at)
    audit.record(conn, "plan_joined", at, actor_id=actor_id, instance_id=project_instance_id,
                 data={"plan_instance_id": plan_id, "bank": bank_code, "plan_amount": str(data["plan_amount"])})
    return plan_id
