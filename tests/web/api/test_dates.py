"""Dates through the API: only YYYY-MM-DD, never after today in China; refused on the field, nothing changed."""
from __future__ import annotations

from typing import Any

from services.context import Services
from services.instances import show_instance
from tests import support
from tests.web.api.helpers import Api


def _unchanged(services: Services, task: dict[str, Any], complete: Any) -> dict[str, str]:
    before = show_instance(services, None, task["instance_id"])
    response = complete()
    assert response.status_code == 422, response.get_json()
    after = show_instance(services, None, task["instance_id"])
    assert (after["updated_at"], after["tasks"], after["payments"]) == (
        before["updated_at"], before["tasks"], before["payments"])
    return response.get_json()["errors"]


def test_a_payment_dated_by_an_iso_week_date_is_refused(api: Api, services: Services, sha: str) -> None:
    task = api.advance(api.declare(sha), sha, until="payment")
    errors = _unchanged(services, task, lambda: api.complete(
        task, {**support.paid(), "paid_on": "2026-W05-1"}))
    assert errors == {"paid_on": "Enter a date as YYYY-MM-DD."}


def test_a_procurement_completed_tomorrow_is_refused(api: Api, services: Services, sha: str) -> None:
    task = api.advance(api.declare(sha), sha, until="procurement")
    errors = _unchanged(services, task, lambda: api.complete(
        task, {**support.PROCUREMENT, "procurement_date": "2026-10-01"}))
    assert errors == {"procurement_date": "This date must not be later than 2026-09-30."}
