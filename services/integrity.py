"""Check the invariants the system promises: every completion audited, the task table true to the
workflows, money sums true to their rows, the running totals true to the projects, a reconciliation
terminated exactly when its instance is, the file sound.

Run it on a quiet database (after a load or crash test): a check racing live writers may see a
step half-way on PostgreSQL, where each statement reads its own snapshot.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from engine import runtime
from engine.errors import EngineError
from models.tables import audit_event, human_task, payment, process_instance, project, reconciliation
from models.types import to_money
from services.context import Services
from services.oversight import totals
from services.process_models import model_by_id

OPEN = ("ready", "suspended")
Violation = dict[str, Any]


def _violation(invariant: str, detail: str, **ids: Any) -> Violation:
    return {"invariant": invariant, "detail": detail, **ids}


def audit_violations(conn: Connection) -> list[Violation]:
    """Return completed tasks without exactly one `task_completed` event, and events of tasks not completed."""
    events = Counter(conn.execute(select(audit_event.c.task_id).where(
        audit_event.c.event == "task_completed")).scalars())
    done = {r.id: r.instance_id for r in conn.execute(
        select(human_task.c.id, human_task.c.instance_id).where(human_task.c.status == "completed"))}
    found = [_violation("completion_audited", f"task {task_id} is completed with {events[task_id]} audit entries",
                        task_id=task_id, instance_id=instance_id)
             for task_id, instance_id in done.items() if events[task_id] != 1]
    found += [_violation("completion_audited", f"audit entry of task {task_id}, which is not completed",
                         task_id=task_id) for task_id in events if task_id not in done]
    return found


def _open_rows(conn: Connection) -> dict[int, set[str]]:
    rows: dict[int, set[str]] = defaultdict(set)
    for task_id, instance_id in conn.execute(select(human_task.c.id, human_task.c.instance_id)
                                             .where(human_task.c.status.in_(OPEN))):
        rows[instance_id].add(task_id)
    return rows


def _workflow_ready(ctx: Services, conn: Connection, row: Any) -> set[str]:
    workflow = runtime.restore(model_by_id(ctx, conn, row.model_id), row.state, ctx.script_engine)
    return {t.id for t in runtime.ready_tasks(workflow)}


def task_table_violations(ctx: Services, conn: Connection) -> list[Violation]:
    """Return each instance whose open task rows differ from the ready user tasks of its stored workflow."""
    table, found = _open_rows(conn), []
    for row in conn.execute(select(process_instance.c.id, process_instance.c.model_id, process_instance.c.state)
                            .order_by(process_instance.c.id)):
        try:
            ready = _workflow_ready(ctx, conn, row)
        except (EngineError, ValueError, KeyError, TypeError) as exc:
            found.append(_violation("task_table", f"instance {row.id}: its workflow cannot be restored: {exc}",
                                    instance_id=row.id))
            continue
        rows = table.pop(row.id, set())
        if ready - rows:
            found.append(_violation("task_table", f"instance {row.id}: ready in the workflow, missing from the "
                                    f"task table: {sorted(ready - rows)}", instance_id=row.id))
        if rows - ready:
            found.append(_violation("task_table", f"instance {row.id}: open in the task table, not ready in the "
                                    f"workflow: {sorted(rows - ready)}", instance_id=row.id))
    found += [_violation("task_table", f"open tasks of unknown instance {iid}", instance_id=iid) for iid in table]
    return found


def money_violations(conn: Connection) -> list[Violation]:
    """Return projects whose paid total differs from their payment rows or exceeds the contract price."""
    paid = {iid: to_money(total) for iid, total in conn.execute(
        select(payment.c.instance_id, func.sum(payment.c.amount)).group_by(payment.c.instance_id))}
    found = []
    for row in conn.execute(select(project.c.instance_id, project.c.paid_total, project.c.contract_price)):
        rows_total = paid.pop(row.instance_id, Decimal("0.00"))
        if to_money(row.paid_total) != rows_total:
            found.append(_violation("paid_total", f"project {row.instance_id}: paid_total {row.paid_total} but "
                                    f"its payments sum to {rows_total}", instance_id=row.instance_id))
        if row.contract_price is not None and to_money(row.paid_total) > to_money(row.contract_price):
            found.append(_violation("paid_within_contract", f"project {row.instance_id}: paid {row.paid_total} "
                                    f"exceeds the contract price {row.contract_price}", instance_id=row.instance_id))
    found += [_violation("paid_total", f"payments of instance {iid} without a project", instance_id=iid)
              for iid in paid]
    return found


def totals_violations(conn: Connection) -> list[Violation]:
    """Return the running totals that differ from the projects, and projects placed unlike their instance."""
    stored, computed = totals.stored(conn), totals.recomputed(conn)
    found = [_violation("oversight_totals", f"totals {list(key)}: stored {stored.get(key)}, "
                        f"from the projects {computed.get(key)}")
             for key in sorted(set(stored) | set(computed), key=repr) if stored.get(key) != computed.get(key)]
    found += [_violation("project_place", f"project {iid}: bank, department, stage or status differ from "
                         "its instance", instance_id=iid) for iid in totals.misplaced(conn)]
    return found


def reconciliation_violations(conn: Connection) -> list[Violation]:
    """Return reconciliations marked terminated while their instance is not, or the other way round.

    Only a live (not terminated) reconciliation holds its bank and period, so the mark must be true.
    """
    rows = conn.execute(select(reconciliation.c.id, reconciliation.c.instance_id, reconciliation.c.status,
                               process_instance.c.status.label("instance_status"))
                        .join(process_instance, process_instance.c.id == reconciliation.c.instance_id)
                        .where(or_(and_(reconciliation.c.status == "terminated",
                                        process_instance.c.status != "terminated"),
                                   and_(reconciliation.c.status != "terminated",
                                        process_instance.c.status == "terminated")))
                        .order_by(reconciliation.c.id)).all()
    return [_violation("reconciliation_terminated", f"reconciliation {r.id}: status {r.status} but its instance is "
                       f"{r.instance_status}", instance_id=r.instance_id) for r in rows]


def sqlite_violations(conn: Connection) -> list[Violation]:
    """Return what SQLite's `PRAGMA integrity_check` reports, if anything."""
    if conn.dialect.name != "sqlite":
        return []
    lines = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")]
    return [] if lines == ["ok"] else [_violation("sqlite_integrity", line) for line in lines]


def check(ctx: Services) -> dict[str, Any]:
    """Check every invariant in one read transaction; return {"ok": bool, "violations": [...]}."""
    with ctx.db.read() as conn:
        # A damaged file answers the other checks unreliably, if at all: report the damage alone.
        violations = sqlite_violations(conn) or (
            audit_violations(conn) + task_table_violations(ctx, conn) + money_violations(conn)
            + totals_violations(conn) + reconciliation_violations(conn))
    return {"ok": not violations, "violations": violations}
