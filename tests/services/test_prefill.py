"""What a form carries over from earlier steps: never a file, nor what belongs to one round only."""
from __future__ import annotations

from datetime import date
from typing import Any

from engine.expressions import Evaluator
from engine.forms import form_patch
from services.context import Services
from services.inbox import tasks_for
from tests import support
from tests.services.journey import Journey

EVAL = Evaluator(lambda: date(2026, 9, 30))


def test_a_file_field_is_never_filled_from_earlier_data() -> None:
    schema = {"type": "object", "properties": {
        "invoice_file": {"type": "string", "format": "file"}, "remark": {"type": "string"}}}
    patch = form_patch(schema, {"invoice_file": "ab" * 32, "remark": "kept"}, EVAL)
    assert patch == {"/properties/remark/default": "kept"}


def _form(ctx: Services, j: Journey, user: str, task: str) -> dict[str, Any]:
    (found,) = [t for t in tasks_for(ctx, j.actor(user), with_forms=True) if t["name"] == task]
    return found["form"]["properties"]


def test_the_second_payment_notice_starts_without_the_first_ones_invoice(services: Services) -> None:
    j = Journey(services).to_payment()
    j.do("hrss_clerk", "payment_notice", support.notice("600000.00", sha=j.sha))
    j.do("icbc_user", "payment_receipt", support.receipt())
    j.do("icbc_user", "payment", support.paid())
    second = _form(services, j, "hrss_clerk", "payment_notice")
    assert {name: prop.get("default") for name, prop in second.items()} == {
        "notice_amount": "400000.00", "notice_date": "2026-09-30", "invoice_no": None, "invoice_file": None}


def test_a_new_round_of_construction_and_acceptance_starts_from_what_still_holds(services: Services) -> None:
    j = Journey(services).to_plan()
    j.plan_do("icbc_user", "bank_confirm", support.SECURE_FUNDS)
    j.do("hrss_clerk", "procurement", support.PROCUREMENT)
    j.do("icbc_user", "contract", support.CONTRACT)
    j.do("health_user", "construction", {**support.CONSTRUCTION, "construction_notes": "首次建设。"})
    j.do("health_user", "acceptance", support.acceptance(passed=False, sha=j.sha))
    again = _form(services, j, "health_user", "construction")
    assert {name: prop.get("default") for name, prop in again.items()} == {
        "construction_start": support.CONSTRUCTION["construction_start"], "construction_end": None,
        "construction_notes": None}
    j.do("health_user", "construction", support.CONSTRUCTION)
    accept = _form(services, j, "health_user", "acceptance")
    assert all("default" not in prop for prop in accept.values())
