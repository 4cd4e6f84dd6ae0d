"""Fill each official document from the instance: its project row, organisations, step data and signers."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Connection, and_, exists, select

from documents import AcceptanceReportDoc, FundPlanDoc, FundPlanLine, PaymentNoticeDoc, SignOff
from models.tables import app_user, fund_plan_item, human_task, organization, process_instance, project
from models.tables import fund_plan as plan_row
from services.clock import CHINA, from_db, parse_date

BEFORE_SIGNOFF = ("declaration", "review", "plan")
NOT_FUNDED = ("rejected", "withdrawn", "terminated")


def _money(value: Any) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def _day(value: Any) -> date | None:
    try:
        return parse_date(value) if value else None
    except (TypeError, ValueError):
        return None


def _text(data: Mapping[str, Any], key: str) -> str:
    return str(data.get(key) or "").strip()


def _project(conn: Connection, instance_id: int) -> Any:
    return conn.execute(
        select(project, process_instance.c.bank_org_id.label("bank_id"),
               process_instance.c.department_org_id.label("department_id"))
        .join(process_instance, process_instance.c.id == project.c.instance_id)
        .where(project.c.instance_id == instance_id)).one()


def _org_name(conn: Connection, org_id: int | None) -> str:
    if org_id is None:
        return ""
    return conn.execute(select(organization.c.name).where(organization.c.id == org_id)).scalar() or ""


def signoff(conn: Connection, instance_id: int, task_name: str) -> SignOff:
    """Return who completed the latest *task_name* of the instance and on which day (China time)."""
    row = conn.execute(
        select(app_user.c.display_name, human_task.c.completed_at)
        .join(app_user, app_user.c.id == human_task.c.completed_by)
        .where(human_task.c.instance_id == instance_id, human_task.c.task_name == task_name,
               human_task.c.status == "completed")
        .order_by(human_task.c.completed_at.desc(), human_task.c.id.desc()).limit(1)).first()
    if row is None:
        return SignOff()
    completed = from_db(row.completed_at)
    return SignOff(row.display_name, completed.astimezone(CHINA).date() if completed else None)


def payment_notice(conn: Connection, instance_id: int, data: Mapping[str, Any], today: date) -> PaymentNoticeDoc:
    """Attachment 3 for the notice just issued: the amount of this notice and the contract's facts."""
    row = _project(conn, instance_id)
    return PaymentNoticeDoc(
        bank=_org_name(conn, row.bank_id), contractor=row.contractor or _text(data, "contractor"),
        contract_signed_on=_day(data.get("contract_date")), contract_name=row.contract_name or "",
        procurement_no=row.procurement_no or "", amount=_money(data.get("notice_amount")),
        contract_total=_money(row.contract_price), issued_on=_day(data.get("notice_date")) or today)


def _opinion(data: Mapping[str, Any]) -> str:
    parts = [_text(data, "acceptance_opinion")]
    for key, who in (("acceptance_bdc_opinion", "市综指中心"), ("acceptance_hrss_opinion", "市人社局")):
        if _text(data, key):
            parts.append(f"{who}：{_text(data, key)}")
    return "\n".join(p for p in parts if p)


def acceptance_report(conn: Connection, instance_id: int, data: Mapping[str, Any]) -> AcceptanceReportDoc:
    """Attachment 2 once all three parties accepted the project."""
    row = _project(conn, instance_id)
    amount = next((v for v in (row.contract_price, row.approved_budget, row.budget) if v is not None), None)
    return AcceptanceReportDoc(
        project_name=row.name or "", builder=_org_name(conn, row.department_id),
        started_on=_day(data.get("construction_start")), amount=_money(amount),
        completed_on=_day(data.get("construction_end")), opinion=_opinion(data),
        department=signoff(conn, instance_id, "acceptance"), bdc=signoff(conn, instance_id, "acceptance_bdc"),
        hrss=signoff(conn, instance_id, "acceptance_hrss"))


def _signed_plans(conn: Connection, bank_id: int, year: int | None) -> list[FundPlanLine]:
    """Return the bank's plans (of the year) that the bureau head has signed, oldest project first."""
    signed = exists().where(human_task.c.instance_id == project.c.instance_id,
                            human_task.c.task_name == "plan_signoff", human_task.c.status == "completed")
    department = organization.alias("department")
    query = (select(project.c.name, project.c.plan_amount, department.c.name.label("department"))
             .outerjoin(department, department.c.id == project.c.department_org_id)
             .where(and_(project.c.bank_org_id == bank_id, project.c.plan_amount.is_not(None),
                         project.c.stage.not_in(BEFORE_SIGNOFF), project.c.status.not_in(NOT_FUNDED), signed))
             .order_by(project.c.instance_id))
    if year is not None:
        query = query.where(project.c.year == year)
    return [FundPlanLine(r.name or "", r.plan_amount, r.department or "") for r in conn.execute(query)]


def fund_plan(conn: Connection, instance_id: int, today: date) -> FundPlanDoc:
    """Attachment 1 of the project's bank: every plan of the bank the bureau head has signed (per-bank
    plans do not exist yet, so the table lists the signed plan of each of the bank's projects)."""
    row = _project(conn, instance_id)
    lines = _signed_plans(conn, row.bank_id, row.year) if row.bank_id is not None else []
    return FundPlanDoc(
        bank=_org_name(conn, row.bank_id), lines=tuple(lines), filled_on=today,
        filled_by=signoff(conn, instance_id, "plan_prepare").name,
        reviewed_by=signoff(conn, instance_id, "plan_review").name,
        head=signoff(conn, instance_id, "plan_signoff").name)


def _user_name(conn: Connection, user_id: int | None) -> str:
    if user_id is None:
        return ""
    return conn.execute(select(app_user.c.display_name).where(app_user.c.id == user_id)).scalar() or ""


def plan_table(conn: Connection, plan_instance_id: int, today: date) -> FundPlanDoc:
    """Attachment 1 of one per-bank plan: its rows in 序号 order, its bank, year, number and signers."""
    plan = conn.execute(select(plan_row).where(plan_row.c.instance_id == plan_instance_id)).one()
    rows = conn.execute(select(project.c.name, fund_plan_item.c.amount, fund_plan_item.c.remark)
                        .join(project, project.c.instance_id == fund_plan_item.c.project_instance_id)
                        .where(fund_plan_item.c.plan_instance_id == plan_instance_id)
                        .order_by(fund_plan_item.c.added_at, fund_plan_item.c.project_instance_id))
    return FundPlanDoc(
        bank=_org_name(conn, plan.bank_org_id), filled_on=today, year=plan.year, number=plan.number,
        lines=tuple(FundPlanLine(r.name or "", Decimal(r.amount), r.remark or "") for r in rows),
        filled_by=_user_name(conn, plan.prepared_by), reviewed_by=_user_name(conn, plan.reviewed_by),
        head=_user_name(conn, plan.signed_by))
