"""What an administrator's termination means for the fund use plans.

- A project terminated while its plan is not yet signed leaves the plan: its row is removed, so the
  table the bureau head signs lists only live projects. Once the head has signed, the plan is an
  issued document and keeps the row; the outcome then skips the project (see outcome.py).
- A plan terminated before the bank confirmed it releases its live projects into the bank's open
  draft plan of the same year and round (started on demand), where they wait for the next plan
  instead of waiting for ever. The terminated plan keeps its number and its rows of ended projects.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, select, update

from models.tables import fund_plan, fund_plan_item, process_instance
from services import audit
from services.context import Services
from services.plans import records

UNSIGNED = ("draft", "review", "signoff")
TERMINATED = "terminated"
LIVE = ("running", "suspended")


def project_terminated(ctx: Services, conn: Connection, project_id: int, actor_id: int, at: datetime) -> None:
    """Remove the terminated project from its plan unless the bureau head has already signed that plan."""
    row = conn.execute(select(fund_plan.c.instance_id, fund_plan.c.status)
                       .join(fund_plan_item, fund_plan_item.c.plan_instance_id == fund_plan.c.instance_id)
                       .where(fund_plan_item.c.project_instance_id == project_id)).first()
    if row is None or row.status not in UNSIGNED:
        return
    conn.execute(delete(fund_plan_item).where(fund_plan_item.c.project_instance_id == project_id))
    audit.record(conn, "plan_left", at, actor_id=actor_id, instance_id=project_id,
                 data={"plan_instance_id": row.instance_id})


def _live_projects(conn: Connection, plan_id: int) -> list[int]:
    return list(conn.execute(select(fund_plan_item.c.project_instance_id)
                             .join(process_instance, process_instance.c.id == fund_plan_item.c.project_instance_id)
                             .where(fund_plan_item.c.plan_instance_id == plan_id, process_instance.c.status.in_(LIVE))
                             .order_by(fund_plan_item.c.added_at, fund_plan_item.c.project_instance_id)).scalars())


def plan_terminated(ctx: Services, conn: Connection, plan_id: int, actor_id: int, at: datetime) -> None:
    """Mark the plan terminated and move its live projects into the bank's open draft plan."""
    from services.plans import joining  # it starts plan instances through services.instances

    plan = records.plan_row(conn, plan_id, lock=True)
    if plan is None:
        return
    records.set_status(conn, plan_id, TERMINATED)
    released = _live_projects(conn, plan_id)
    if not released:
        return
    target = records.open_draft(conn, plan.bank_org_id, plan.year, plan.round_id)
    if target is None:  # started on behalf of the bureau clerk who started the terminated plan
        starter = conn.execute(select(process_instance.c.started_by)
                               .where(process_instance.c.id == plan_id)).scalar_one()
        target = joining.start_plan(ctx, conn, starter, plan.bank_code, plan.bank_org_id, plan.year,
                                    plan.round_id, at)
    conn.execute(update(fund_plan_item).where(fund_plan_item.c.plan_instance_id == plan_id,
                                              fund_plan_item.c.project_instance_id.in_(released))
                 .values(plan_instance_id=target))
    for project_id in released:
        audit.record(conn, "plan_released", at, actor_id=actor_id, instance_id=project_id,
                     data={"from_plan_instance_id": plan_id, "plan_instance_id": target})
