"""A small ledger to read: 2026 allocated among the three banks, three projects at different points."""
from __future__ import annotations

from services.context import Services
from tests import support
from tests.services import allocation_helpers as alloc
from tests.services.journey import Journey

POOL = "10000000.00"  # shares by 520,000 / 310,000 / 170,000 cards: 5.2, 3.1 and 1.7 million


def build(services: Services) -> dict[str, Journey]:
    """ICBC: one project partly paid (¥600,000 of ¥1,000,000), one only declared; ABC: one plan signed.

    ABC's plan is also confirmed by the bank, so that its project stands at procurement: the ledger
    counts a project's plan amount from there on (it reads the project's stage, not the plan yet).
    """
    alloc.run_to_fixed(services, allocation_year=2026, allocation_pool=POOL)
    paid = Journey(services).to_payment().notice_received("600000.00")
    paid.do("icbc_user", "payment", support.paid(reference="TX-1"))
    planned = Journey(services).to_plan("bank-abc")
    planned.plan_do("abc_user", "bank_confirm", support.SECURE_FUNDS)
    declared = Journey(services)
    declared.do("health_user", "declare", support.declare(declared.sha))
    return {"paid": paid, "planned": planned, "declared": declared}
