"""The reconciliation records as each person may see them: a bank its own, the bureau and supervisors all."""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import aliased

from models.tables import app_user, human_task, organization, process_instance, reconciliation, reconciliation_line
from services.clock import from_db
from services.context import Services
from services.errors import NotFound, PermissionDenied
from services.tasks import may_complete
from services.reconciliation.periods import quarter_before
from services.users import SEE_ALL_ROLES, Actor, as_writer

MAX_ROWS = 500
SOURCE_YEAR = re.compile(r"(20[0-9]{2})年度分配")


def _scope(actor: Actor) -> int | None:
    """Return None if *actor* sees every bank's reconciliation, else the one bank it may see."""
    if actor.roles & SEE_ALL_ROLES:
        return None
    if "bank" in actor.roles:
        return actor.org_id
    raise PermissionDenied("only the bureau, the BDC, supervisors and the cooperating banks may see reconciliations")


def _iso(moment: Any) -> str | None:
    return from_db(moment).isoformat() if moment is not None else None


def _allocation_year(label: str) -> int | None:
    """Return the year of the allocation a card count line was compared with (None if there was none)."""
    found = SOURCE_YEAR.search(label)
    return int(found[1]) if found else None


def _query(bank: int | None) -> Any:
    query = (select(reconciliation, organization.c.code.label("bank"), organization.c.name.label("bank_name"),
                    organization.c.name_en.label("bank_name_en"),
                    process_instance.c.status.label("instance_status"), process_instance.c.stage)
             .join(organization, organization.c.id == reconciliation.c.bank_org_id)
             .join(process_instance, process_instance.c.id == reconciliation.c.instance_id))
    return query if bank is None else query.where(reconciliation.c.bank_org_id == bank)


def _lines(conn: Connection, record_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    bank_user, bureau_user = aliased(app_user), aliased(app_user)
    rows = conn.execute(
        select(reconciliation_line, bank_user.c.display_name.label("bank_explained_by_name"),
               bureau_user.c.display_name.label("closed_by_name"))
        .outerjoin(bank_user, bank_user.c.id == reconciliation_line.c.bank_explained_by)
        .outerjoin(bureau_user, bureau_user.c.id == reconciliation_line.c.closed_by)
        .where(reconciliation_line.c.reconciliation_id.in_(record_ids))
        .order_by(reconciliation_line.c.reconciliation_id, reconciliation_line.c.line_no)).all()
    lines: dict[int, list[dict[str, Any]]] = {i: [] for i in record_ids}
    for r in rows:
        count = r.kind == "card_count"
        reported = r.reported_count if count else r.reported_amount
        recorded = r.recorded_count if count else r.recorded_amount
        lines[r.reconciliation_id].append({
            "line": r.line_no, "kind": r.kind, "label": r.label, "project_id": r.project_instance_id,
            "reported": None if reported is None else str(reported),
            "recorded": None if recorded is None else str(recorded),
            "difference": None if reported is None or recorded is None else str(reported - recorded),
            "differs": r.differs, "allocation_year": _allocation_year(r.label) if count else None,
            "bank_explanation": r.bank_explanation, "bank_explained_by": r.bank_explained_by_name,
            "bank_explained_at": _iso(r.bank_explained_at), "bureau_explanation": r.bureau_explanation,
            "closed_by": r.closed_by_name, "closed_at": _iso(r.closed_at)})
    return lines


def _row(r: Any, lines: list[dict[str, Any]]) -> dict[str, Any]:
    by_kind = {line["kind"]: line for line in lines if line["kind"] != "paid_project"}
    differences = [line for line in lines if line["differs"]]
    return {"id": r.id, "instance_id": r.instance_id, "bank": r.bank, "bank_name": r.bank_name,
            "bank_name_en": r.bank_name_en, "period": r.period, "period_start": r.period_start.isoformat(),
            "period_end": r.period_end.isoformat(), "status": r.status, "instance_status": r.instance_status,
            "scheduled": r.scheduled, "created_at": _iso(r.created_at), "reported_at": _iso(r.reported_at),
            "closed_at": _iso(r.closed_at), "card_count": by_kind.get("card_count"),
            "paid_total": by_kind.get("paid_total"), "lines": lines, "difference_count": len(differences),
            "closed_count": sum(1 for line in differences if line["closed_at"])}


def list_reconciliations(ctx: Services, actor: Actor) -> list[dict[str, Any]]:
    """Return the reconciliations *actor* may see, newest period first, with their lines."""
    bank = _scope(actor)
    with ctx.db.read() as conn:
        rows = conn.execute(_query(bank).order_by(reconciliation.c.period_end.desc(), organization.c.code)
                            .limit(MAX_ROWS)).all()
        lines = _lines(conn, [r.id for r in rows])
    return [_row(r, lines[r.id]) for r in rows]


def _open_tasks(conn: Connection, actor: Actor, instance_id: int, bank: int | None) -> list[dict[str, Any]]:
    rows = conn.execute(select(human_task.c.id, human_task.c.task_name, human_task.c.title, human_task.c.lane,
                               human_task.c.org_id, human_task.c.assignee_id)
                        .where(human_task.c.instance_id == instance_id, human_task.c.status == "ready")
                        .order_by(human_task.c.created_at, human_task.c.id)).all()
    return [{"id": t.id, "name": t.task_name, "title": t.title, "lane": t.lane,
             "actionable": may_complete(actor, t.lane, t.org_id, t.assignee_id)}
            for t in rows if bank is None or t.org_id == bank]


def show_reconciliation(ctx: Services, actor: Actor, record_id: int) -> dict[str, Any]:
    """Return one reconciliation with its lines, explanations and open tasks; another bank's is not found."""
    bank = _scope(actor)
    with ctx.db.read() as conn:
        row = conn.execute(_query(bank).where(reconciliation.c.id == record_id)).first()
        if row is None:
            raise NotFound(f"reconciliation {record_id} does not exist")
        record = _row(row, _lines(conn, [row.id])[row.id])
        record["open_tasks"] = _open_tasks(conn, actor, row.instance_id, bank)
    return record


def start_choices(ctx: Services, actor: Actor) -> dict[str, Any] | None:
    """Return the banks and the suggested period for the bureau's start form (None for anyone else)."""
    if "hrss" not in as_writer(actor).roles:
        return None
    with ctx.db.read() as conn:
        banks = conn.execute(select(organization.c.code, organization.c.name, organization.c.name_en)
                             .where(organization.c.kind == "bank").order_by(organization.c.code)).all()
    return {"banks": [{"code": b.code, "name": b.name, "name_en": b.name_en} for b in banks],
            "period": quarter_before(ctx.today()).name}
