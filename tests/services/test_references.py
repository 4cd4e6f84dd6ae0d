"""A bank transaction number pays once per bank, an invoice number is noticed once per contractor."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from models.tables import payment, payment_notice
from services.context import Services
from services.errors import ValidationError
from tests import support
from tests.services.journey import Journey


def _count(ctx: Services, table: Any) -> int:
    with ctx.db.read() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def _refused(j: Journey, user: str, task: str, data: dict[str, Any]) -> dict[str, str]:
    before = j.show()
    with pytest.raises(ValidationError) as caught:
        j.do(user, task, data)
    after = j.show()
    assert (after["updated_at"], after["tasks"], after["payments"]) == (
        before["updated_at"], before["tasks"], before["payments"])
    return {e.path: e.code for e in caught.value.fields}


def test_a_bank_transaction_number_pays_only_once_per_bank(services: Services) -> None:
    first, second = Journey(services).to_payment(), Journey(services).to_payment()
    first.do("hrss_clerk", "payment_notice", support.notice("1000000.00", sha=first.sha))
    first.do("icbc_user", "payment_receipt", support.receipt())
    first.do("icbc_user", "payment", support.paid(reference="TX-77"))
    second.do("hrss_clerk", "payment_notice", {**support.notice("1000000.00", sha=second.sha), "invoice_no": "B-1"})
    second.do("icbc_user", "payment_receipt", support.receipt())
    assert _refused(second, "icbc_user", "payment", support.paid(reference="TX-77")) == {
        "payment_reference": "duplicate"}
    assert _refused(second, "icbc_user", "payment", support.paid(reference=" TX-77 ")) == {
        "payment_reference": "duplicate"}
    assert _count(services, payment) == 1
    second.do("icbc_user", "payment", support.paid(reference="TX-78"))
    assert _count(services, payment) == 2


def test_another_bank_may_use_the_same_transaction_number(services: Services) -> None:
    first, second = Journey(services).to_payment(), Journey(services).to_payment("bank-abc", "abc_user")
    for j, bank_user, invoice in ((first, "icbc_user", "A-1"), (second, "abc_user", "B-1")):
        j.do("hrss_clerk", "payment_notice", {**support.notice("1000000.00", sha=j.sha), "invoice_no": invoice})
        j.do(bank_user, "payment_receipt", support.receipt())
        j.do(bank_user, "payment", support.paid(reference="TX-77"))
    assert _count(services, payment) == 2


def test_an_invoice_number_is_noticed_only_once_per_contractor(services: Services) -> None:
    j = Journey(services).to_payment()
    j.do("hrss_clerk", "payment_notice", {**support.notice("600000.00", sha=j.sha), "invoice_no": "0320001"})
    j.do("icbc_user", "payment_receipt", support.receipt())
    j.do("icbc_user", "payment", support.paid())
    again = {**support.notice("400000.00", sha=j.sha), "invoice_no": "0320001"}
    assert _refused(j, "hrss_clerk", "payment_notice", again) == {"invoice_no": "duplicate"}
    other = Journey(services).to_payment()
    assert _refused(other, "hrss_clerk", "payment_notice", {**again, "invoice_file": other.sha}) == {
        "invoice_no": "duplicate"}
    assert _count(services, payment_notice) == 1
    j.do("hrss_clerk", "payment_notice", {**again, "invoice_no": "0320002"})
    assert _count(services, payment_notice) == 2


def test_a_payment_notice_needs_its_invoice(services: Services) -> None:
    j = Journey(services).to_payment()
    data = support.notice("1000000.00", sha=j.sha)
    del data["invoice_file"]
    assert _refused(j, "hrss_clerk", "payment_notice", data) == {"invoice_file": "required"}


def test_the_database_itself_refuses_a_second_use(services: Services) -> None:
    j = Journey(services).to_payment()
    j.do("hrss_clerk", "payment_notice", support.notice("1000000.00", sha=j.sha))
    j.do("icbc_user", "payment_receipt", support.receipt())
    j.do("icbc_user", "payment", support.paid(reference="TX-9"))
    with services.db.read() as conn:
        paid = dict(conn.execute(select(payment)).one()._mapping)
        noticed = dict(conn.execute(select(payment_notice)).one()._mapping)
    for table, row in ((payment, {**paid, "instalment": 2}), (payment_notice, noticed)):
        row.pop("id")
        with pytest.raises(IntegrityError):
            with services.db.write() as conn:
                conn.execute(insert(table).values(**row))
