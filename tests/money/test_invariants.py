"""Money invariants held by the database as well as the code, on SQLite and PostgreSQL (migration 0012).

A write through the services that would break one is a field error and writes nothing; the same
write sent straight to the database fails.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import DBAPIError

from models.tables import organization, payment, payment_notice, project
from services.context import Services
from services.errors import ValidationError
from tests import support
from tests.services.journey import Journey

AT = datetime(2026, 9, 20, 4, 0)


def _bank(ctx: Services, code: str = "bank-icbc") -> int:
    with ctx.db.read() as conn:
        return conn.execute(select(organization.c.id).where(organization.c.code == code)).scalar_one()


def _payment(ctx: Services, instance_id: int, amount: str, reference: str, instalment: int = 9) -> dict[str, Any]:
    return {"instance_id": instance_id, "bank_org_id": _bank(ctx), "instalment": instalment,
            "amount": Decimal(amount), "notice_date": date(2026, 9, 15), "paid_on": date(2026, 9, 20),
            "reference": reference, "recorded_at": AT, "recorded_by": 1}


def _refused_by_database(ctx: Services, statement: Any) -> None:
    with pytest.raises(DBAPIError):
        with ctx.db.write() as conn:
            conn.execute(statement)


def _payments(ctx: Services, instance_id: int) -> Decimal:
    with ctx.db.read() as conn:
        return conn.execute(select(func.coalesce(func.sum(payment.c.amount), 0))
                            .where(payment.c.instance_id == instance_id)).scalar_one()


@pytest.fixture
def contract(services: Services) -> Journey:
    """A project at its first payment notice: contract price ¥1,000,000.00, nothing paid."""
    return Journey(services).to_payment()


def test_payments_above_the_contract_price_are_refused_by_the_database(services: Services,
                                                                        contract: Journey) -> None:
    instance = contract.instance_id
    with services.db.write() as conn:
        conn.execute(insert(payment).values(**_payment(services, instance, "600000.00", "SQL-1", 1)))
    _refused_by_database(services, insert(payment).values(**_payment(services, instance, "400000.01", "SQL-2", 2)))
    with services.db.write() as conn:
        conn.execute(insert(payment).values(**_payment(services, instance, "400000.00", "SQL-2", 2)))
    assert _payments(services, instance) == Decimal("1000000.00")
    _refused_by_database(services, update(payment).where(payment.c.reference == "SQL-1").values(
        amount=Decimal("600000.01")))
    _refused_by_database(services, update(project).where(project.c.instance_id == instance).values(
        contract_price=Decimal("999999.99")))
    _refused_by_database(services, update(project).where(project.c.instance_id == instance).values(
        contract_price=None))
    _refused_by_database(services, update(project).where(project.c.instance_id == instance).values(
        paid_total=Decimal("1000000.01")))
    with services.db.write() as conn:  # lowering a payment, or raising the price, is allowed
        conn.execute(update(payment).where(payment.c.reference == "SQL-1").values(amount=Decimal("500000.00")))
        conn.execute(update(project).where(project.c.instance_id == instance).values(
            contract_price=Decimal("1000000.00")))
    assert _payments(services, instance) == Decimal("900000.00")


@pytest.mark.parametrize("column", ["budget", "approved_budget", "plan_amount", "contract_price", "paid_total"])
def test_no_project_amount_may_be_negative(services: Services, contract: Journey, column: str) -> None:
    _refused_by_database(services, update(project).where(project.c.instance_id == contract.instance_id).values(
        {column: Decimal("-0.01")}))


def test_no_payment_or_notice_amount_may_be_negative(services: Services, contract: Journey) -> None:
    _refused_by_database(services, insert(payment).values(
        **_payment(services, contract.instance_id, "-1.00", "NEG-1", 1)))
    _refused_by_database(services, insert(payment_notice).values(
        instance_id=contract.instance_id, contractor="某公司", invoice_no="NEG", amount=Decimal("-1.00"),
        notice_date=date(2026, 9, 15), recorded_at=AT))


def test_a_reference_per_bank_and_an_invoice_per_contractor_are_unique_in_the_database(
        services: Services, contract: Journey) -> None:
    instance = contract.instance_id
    with services.db.write() as conn:
        conn.execute(insert(payment).values(**_payment(services, instance, "1.00", "TX-9", 1)))
        conn.execute(insert(payment_notice).values(instance_id=instance, contractor="某公司", invoice_no="INV-9",
                                                   amount=Decimal("1.00"), notice_date=date(2026, 9, 15),
                                                   recorded_at=AT))
    _refused_by_database(services, insert(payment).values(**_payment(services, instance, "1.00", "TX-9", 2)))
    _refused_by_database(services, insert(payment_notice).values(
        instance_id=instance, contractor="某公司", invoice_no="INV-9", amount=Decimal("2.00"),
        notice_date=date(2026, 9, 16), recorded_at=AT))
    with services.db.write() as conn:  # the same numbers for another bank or contractor are fine
        conn.execute(insert(payment).values(**{**_payment(services, instance, "1.00", "TX-9", 2),
                                               "bank_org_id": _bank(services, "bank-abc")}))
        conn.execute(insert(payment_notice).values(instance_id=instance, contractor="另一公司", invoice_no="INV-9",
                                                   amount=Decimal("1.00"), notice_date=date(2026, 9, 15),
                                                   recorded_at=AT))


def test_a_payment_above_what_is_left_of_the_price_is_a_field_error_and_writes_nothing(
        services: Services, contract: Journey) -> None:
    contract.notice_received("1000000.00")
    with services.db.write() as conn:  # paid meanwhile, outside the process (the process cannot see it)
        conn.execute(insert(payment).values(**_payment(services, contract.instance_id, "0.01", "OUTSIDE", 9)))
    before = contract.show()
    with pytest.raises(ValidationError) as caught:
        contract.do("icbc_user", "payment", support.paid(reference="TX-NEW"))
    (error,) = caught.value.fields
    assert (error.path, error.code) == ("notice_amount", "over_price")
    assert error.message == ("The payments of this contract would exceed its price of ¥1,000,000.00 "
                             "(¥0.01 already paid).")
    after = contract.show()
    assert (after["updated_at"], after["tasks"]) == (before["updated_at"], before["tasks"])
    assert _payments(services, contract.instance_id) == Decimal("0.01")
    assert contract.open_names() == ["payment"]
