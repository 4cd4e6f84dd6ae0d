"""The host's part of the `fund_plan` process: the plan row follows its steps, the head's override
above the bank's remaining allocation, the rows' remarks, and the outcome sent to the projects."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from services.clock import to_db
from services.context import Services
from services.errors import FieldError, ServiceError, ValidationError
from services.money.text import money_text
from services.plans import figures, records

PROCESS_ID = "fund_plan"
UNTITLED = "合作金融资金使用计划表"
NOT_IN_PLAN = "Project {project} is not listed in this plan."
OVERRIDE_NEEDED = ("The plan's total of {total} exceeds the bank's remaining allocation of {remaining} "
                   "for {year}: give the reason for approving it anyway.")


def title(data: Mapping[str, Any]) -> str | None:
    """Return the plan's title: bank, year and number (第N号)."""
    if not data.get("bank") or not data.get("plan_year"):
        return None
    bank = data.get("bank_name") or data["bank"]
    return f"{UNTITLED}（{bank}，{data['plan_year']}年第{data.get('plan_number', 1)}号）"


def _text(data: Mapping[str, Any], key: str) -> str:
    return str(data.get(key) or "").strip()


def _row_errors(conn: Connection, plan_instance_id: int, rows: Any) -> list[FieldError]:
    listed = {item.project_instance_id for item in records.items(conn, plan_instance_id)}
    return [FieldError(f"plan_rows.{index}.project", "not_in_plan", NOT_IN_PLAN, {"project": row["project"]})
            for index, row in enumerate(rows or []) if row.get("project") not in listed]


def override_error(conn: Connection, plan_instance_id: int, data: Mapping[str, Any]) -> FieldError | None:
    """Return the error of a sign-off above the bank's remaining allocation that gives no reason."""
    if data.get("plan_signoff_decision") != "approve" or _text(data, "plan_override_reason"):
        return None
    plan = records.plan_row(conn, plan_instance_id)
    remaining = figures.remaining_allocation(conn, plan.bank_org_id, plan.year)
    total = figures.plan_total(conn, plan_instance_id)
    if remaining is None or total <= remaining:
        return None
    return FieldError("plan_override_reason", "override_required", OVERRIDE_NEEDED,
                      {"total": money_text(total), "remaining": money_text(remaining), "year": plan.year})


def check_task(conn: Connection, instance_id: int, task_name: str, data: Mapping[str, Any]) -> None:
    """Refuse remarks for projects the plan does not list, and an unexplained sign-off above the allocation."""
    problems = _row_errors(conn, instance_id, data.get("plan_rows")) if task_name == "plan_prepare" else []
    if task_name == "plan_signoff" and (error := override_error(conn, instance_id, data)):
        problems.append(error)
    if problems:
        raise ValidationError("The form has errors", problems)


def _back_to_draft(conn: Connection, plan_instance_id: int) -> None:
    records.set_status(conn, plan_instance_id, records.DRAFT, reviewed_by=None, signed_by=None, signed_at=None,
                       override_reason=None)


def on_prepared(conn: Connection, plan_instance_id: int, data: Mapping[str, Any], actor_id: int) -> None:
    """The preparer submitted the table: apply the rows' remarks and send it to review."""
    for row in data.get("plan_rows") or []:
        records.set_remark(conn, plan_instance_id, int(row["project"]), str(row.get("remark") or ""))
    records.set_status(conn, plan_instance_id, "review", prepared_by=actor_id)


def on_signoff_approved(ctx: Services | None, conn: Connection, plan_instance_id: int, data: Mapping[str, Any],
                        actor_id: int, at: datetime, task_id: str | None) -> None:
    """The bureau head signed the plan: record who, when and any override reason; it goes to the bank."""
    records.set_status(conn, plan_instance_id, "bank", signed_by=actor_id, signed_at=to_db(at),
                       override_reason=_text(data, "plan_override_reason") or None)


def on_task_completed(ctx: Services | None, conn: Connection, plan_instance_id: int, task_name: str,
                      data: Mapping[str, Any], actor_id: int, at: datetime, task_id: str | None = None) -> None:
    """Move the plan row along with its process; a confirmation sends the outcome to every listed project."""
    if task_name == "plan_prepare":
        on_prepared(conn, plan_instance_id, data, actor_id)
    elif task_name == "plan_review" and data.get("plan_review_decision") == "approve":
        records.set_status(conn, plan_instance_id, "signoff", reviewed_by=actor_id)
    elif task_name == "plan_signoff" and data.get("plan_signoff_decision") == "approve":
        on_signoff_approved(ctx, conn, plan_instance_id, data, actor_id, at, task_id)
    elif task_name == "bank_confirm" and data.get("funds_decision") == "confirm":
        records.set_status(conn, plan_instance_id, "confirmed", confirmed_at=to_db(at))
        if ctx is None:
            raise ServiceError("confirming a plan needs the services to reach its projects")
        from services.plans.outcome import deliver_outcome  # it saves projects through the step path

        deliver_outcome(ctx, conn, plan_instance_id, actor_id, at)
    elif task_name in ("plan_review", "plan_signoff", "bank_confirm"):
        _back_to_draft(conn, plan_instance_id)
