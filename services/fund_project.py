"""Domain records of the fund project: the project row and the payments the banks made."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Insert, exists, func, insert, select
from sqlalchemy.exc import IntegrityError

from models.tables import payment, payment_notice, project
from models.types import to_money
from services.clock import parse_date, to_db
from services.declaration.functions import function_id
from services.errors import FieldError, ValidationError
from services.money.text import money_text
from services.oversight import totals

PROCESS_ID = "fund_project"
UNTITLED = "新申报项目"
PROJECT_FIELDS: dict[str, str] = {
    "declaration_year": "year",
    "declaration_round": "round",
    "declaration_round_id": "round_id",
    "project_name": "name",
    "category": "category",
    "budget": "budget",
    "approved_budget": "approved_budget",
    "plan_amount": "plan_amount",
    "contractor": "contractor",
    "procurement_no": "procurement_no",
    "contract_price": "contract_price",
    "paid_total": "paid_total",
    "contract_no": "contract_no",
    "contract_name": "contract_name",
}


def on_start(conn: Connection, instance_id: int) -> None:
    """Create the project row of a new instance."""
    conn.execute(insert(project).values(instance_id=instance_id, paid_total=0))


def project_changes(conn: Connection, before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """Return the project row's columns whose process data changed in a step, with their new values."""
    changes = {
        column: after.get(key)
        for key, column in PROJECT_FIELDS.items()
        if after.get(key) != before.get(key) and key in after
    }
    function = after.get("card_function")
    if function != before.get("card_function") and isinstance(function, str):
        changes["card_function_id"] = function_id(conn, function)
    return changes


def on_data(conn: Connection, instance_id: int, before: Mapping[str, Any], after: Mapping[str, Any],
            was: totals.Place | None, now: totals.Place) -> None:
    """Copy the project facts that changed in this step and its new place into the project row, and the totals."""
    totals.follow(conn, instance_id, was, now, project_changes(conn, before, after))


def title(data: Mapping[str, Any]) -> str | None:
    """Return the project's name as its instance's title, once it has one."""
    name = data.get("project_name")
    return str(name)[:300] if name else None


DUPLICATE_REFERENCE = "This bank transaction number was already used for another payment of this bank."
DUPLICATE_INVOICE = "This invoice number was already used in another payment notice for this contractor."
OVER_PRICE = "The payments of this contract would exceed its price of {price} ({paid} already paid)."
ZERO = Decimal("0.00")


def _text(data: Mapping[str, Any], key: str) -> str:
    return str(data.get(key) or "").strip()


def _duplicates(conn: Connection, task_name: str, data: Mapping[str, Any],
                bank_org_id: int | None) -> list[FieldError]:
    if task_name == "payment" and bank_org_id is not None:
        used = exists().where(payment.c.bank_org_id == bank_org_id,
                              payment.c.reference == _text(data, "payment_reference"))
        if conn.execute(select(used)).scalar():
            return [FieldError("payment_reference", "duplicate", DUPLICATE_REFERENCE)]
    if task_name == "payment_notice":
        used = exists().where(payment_notice.c.contractor == _text(data, "contractor"),
                              payment_notice.c.invoice_no == _text(data, "invoice_no"))
        if conn.execute(select(used)).scalar():
            return [FieldError("invoice_no", "duplicate", DUPLICATE_INVOICE)]
    return []


def _over_price(conn: Connection, instance_id: int, data: Mapping[str, Any]) -> list[FieldError]:
    """Return the error of a payment that would take the contract's payments above its price."""
    paid = conn.execute(select(func.coalesce(func.sum(payment.c.amount), ZERO))
                        .where(payment.c.instance_id == instance_id)).scalar_one()
    price = conn.execute(select(project.c.contract_price).where(project.c.instance_id == instance_id)).scalar()
    amount = to_money(data.get("notice_amount") or 0)
    if to_money(paid) + amount <= (price if price is not None else ZERO):
        return []
    return [FieldError("notice_amount", "over_price", OVER_PRICE,
                       {"price": money_text(price if price is not None else ZERO), "paid": money_text(paid)})]


def check_task(conn: Connection, task_name: str, data: Mapping[str, Any], bank_org_id: int | None,
               instance_id: int | None = None) -> None:
    """Raise ValidationError on the field the records refuse: a number already used (a bank reference,
    an invoice), or a payment above what is left of the contract price."""
    problems = _duplicates(conn, task_name, data, bank_org_id)
    if task_name == "payment" and instance_id is not None:
        problems += _over_price(conn, instance_id, data)
    if problems:
        raise ValidationError("The form has errors", problems)


def _insert_once(conn: Connection, statement: Insert, task_name: str, data: Mapping[str, Any],
                 bank_org_id: int | None, instance_id: int) -> None:
    """Insert a record the database checks (a unique number, payments within the price); a concurrent
    change that the check before could not see becomes the same field error."""
    if task_name == "payment" and (problems := _over_price(conn, instance_id, data)):
        raise ValidationError("The form has errors", problems)
    try:
        with conn.begin_nested():
            conn.execute(statement)
    except IntegrityError:
        check_task(conn, task_name, data, bank_org_id, instance_id)
        raise


def on_task_completed(conn: Connection, instance_id: int, task_name: str, data: Mapping[str, Any],
                      bank_org_id: int | None, actor_id: int, at: datetime, task_id: str | None = None) -> None:
    """Record a payment notice when the bureau issues one, and a payment when the bank confirms one."""
    if task_name == "payment_notice":
        _insert_once(conn, insert(payment_notice).values(
            instance_id=instance_id, task_id=task_id, contractor=_text(data, "contractor"),
            invoice_no=_text(data, "invoice_no"), invoice_sha256=data.get("invoice_file"),
            amount=data["notice_amount"], notice_date=parse_date(data["notice_date"]),
            recorded_at=to_db(at), recorded_by=actor_id), task_name, data, bank_org_id, instance_id)
    if task_name != "payment" or bank_org_id is None:
        return
    instalment = conn.execute(
        select(func.count()).select_from(payment).where(payment.c.instance_id == instance_id)
    ).scalar_one() + 1
    _insert_once(conn, insert(payment).values(
        instance_id=instance_id, bank_org_id=bank_org_id, instalment=instalment,
        amount=data["notice_amount"], notice_date=parse_date(data["notice_date"]),
        paid_on=parse_date(data["paid_on"]), reference=_text(data, "payment_reference"),
        recorded_at=to_db(at), recorded_by=actor_id,
    ), task_name, data, bank_org_id, instance_id)

MONEY_COLUMNS = frozenset({"budget", "approved_budget", "plan_amount", "contract_price", "paid_total"})
