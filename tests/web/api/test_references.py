"""A used bank transaction or invoice number is a field error through the API and on the page, not a 409/500."""
from __future__ import annotations

from services.context import Services
from tests import support
from tests.services.journey import Journey
from tests.web.api.helpers import Api
from tests.web.site import Site, text_of


def test_a_used_transaction_number_is_a_field_error_in_the_api(api: Api, sha: str) -> None:
    first = api.advance(api.declare(sha), sha, until="payment")
    assert api.complete(first, support.paid(reference="TX-1")).status_code == 200
    notice = api.advance(api.declare(sha), sha, until="payment_notice")
    done = api.complete(notice, {**support.notice("1000000.00", sha=sha), "invoice_no": "B-1"})
    (receipt,) = [t for t in done.get_json()["ready"] if t["name"] == "payment_receipt"]
    signed = api.complete(receipt, support.receipt())
    (second,) = [t for t in signed.get_json()["ready"] if t["name"] == "payment"]
    response = api.complete(second, support.paid(reference="TX-1"))
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "payment_reference": "This bank transaction number was already used for another payment of this bank."}


def test_a_used_invoice_number_is_shown_on_its_field(site: Site, services: Services) -> None:
    first, second = Journey(services).to_payment(), Journey(services).to_payment()
    first.do("hrss_clerk", "payment_notice", {**support.notice("1000000.00", sha=first.sha), "invoice_no": "0320001"})
    clerk = site.user("hrss_clerk")
    task = f"/tasks/{second.task_id('payment_notice')}"
    form = {"notice_amount": "1000000.00", "notice_date": "2026-09-15", "invoice_no": "0320001",
            "invoice_file": second.sha}
    page = clerk.post(task, form, token_from=task)
    assert page.status_code == 422
    assert 'id="err-invoice_no"' in page.get_data(as_text=True)
    assert "该发票号码已用于该建设单位的其他付款通知书" in text_of(page)
