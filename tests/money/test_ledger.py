"""The ledger per bank, year and category: what it counts, its totals, and who sees which rows."""
from __future__ import annotations

from typing import Any

import pytest

from services.context import Services
from services.errors import NotFound, PermissionDenied
from services.money.ledger import ledger
from services.oversight import actions
from services.users import load_actor
from tests import support
from tests.money import ledger_world
from tests.services.journey import Journey


def _bank(data: dict[str, Any], code: str) -> dict[str, Any]:
    (block,) = data["years"]
    (row,) = [b for b in block["banks"] if b["bank"] == code]
    return row


def _amounts(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[k] for k in ("allocated", "planned", "contracted", "paid", "remaining", "unpaid"))


@pytest.fixture
def world(services: Services) -> dict[str, Journey]:
    """2026 allocated; ICBC: one project partly paid, one only declared; ABC: one plan signed."""
    return ledger_world.build(services)


def test_the_ledger_counts_signed_plans_signed_contracts_and_payments(services: Services,
                                                                      world: dict[str, Journey]) -> None:
    data = ledger(services, load_actor(services, "supervisor"), 2026)
    assert data["own_bank_only"] is False and data["years_known"][0] == 2026
    icbc, abc, trcb = (_bank(data, code) for code in ("bank-icbc", "bank-abc", "bank-trcb"))
    assert _amounts(icbc) == ("5200000.00", "1150000.00", "1000000.00", "600000.00", "4050000.00", "550000.00")
    assert [(c["category"], c["allocated"], c["planned"], c["paid"], c["remaining"]) for c in icbc["categories"]] == [
        ("it.software", None, "1150000.00", "600000.00", None)]
    assert _amounts(abc) == ("3100000.00", "1150000.00", "0.00", "0.00", "1950000.00", "1150000.00")
    assert _amounts(trcb) == ("1700000.00", "0.00", "0.00", "0.00", "1700000.00", "0.00")
    assert trcb["categories"] == []
    assert _amounts(data["years"][0]["totals"]) == (
        "10000000.00", "2300000.00", "1000000.00", "600000.00", "7700000.00", "1700000.00")
    assert data["totals"] == data["years"][0]["totals"]


def test_a_terminated_project_keeps_only_what_was_paid(services: Services, world: dict[str, Journey]) -> None:
    actions.terminate(services, load_actor(services, "admin"), world["paid"].instance_id, "合同解除")
    actions.terminate(services, load_actor(services, "admin"), world["planned"].instance_id, "不再建设")
    data = ledger(services, load_actor(services, "hrss_clerk"), 2026)
    assert _amounts(_bank(data, "bank-icbc")) == (
        "5200000.00", "600000.00", "600000.00", "600000.00", "4600000.00", "0.00")
    assert _amounts(_bank(data, "bank-abc")) == ("3100000.00", "0.00", "0.00", "0.00", "3100000.00", "0.00")


def test_a_project_paid_in_full_keeps_its_plan_and_contract(services: Services, world: dict[str, Journey]) -> None:
    paid = world["paid"].notice_received("400000.00", on="2026-09-20")
    paid.do("icbc_user", "payment", support.paid(reference="TX-2"))
    assert paid.show()["status"] == "completed"
    data = ledger(services, load_actor(services, "supervisor"), 2026)
    assert _amounts(_bank(data, "bank-icbc")) == (
        "5200000.00", "1150000.00", "1000000.00", "1000000.00", "4050000.00", "150000.00")


def test_a_bank_sees_only_its_own_rows(services: Services, world: dict[str, Journey]) -> None:
    data = ledger(services, load_actor(services, "abc_user"), 2026)
    assert data["own_bank_only"] is True
    assert [b["bank"] for b in data["years"][0]["banks"]] == ["bank-abc"]
    assert data["years"][0]["totals"]["allocated"] == "3100000.00"
    assert data["totals"]["planned"] == "1150000.00"


def test_a_year_without_an_allocation_shows_none_allocated_and_other_years_are_empty(
        services: Services, world: dict[str, Journey]) -> None:
    data = ledger(services, load_actor(services, "bdc_reviewer"), 2025)
    assert data["years"] == [{"year": 2025, "allocation_fixed": False, "banks": [],
                              "totals": {"allocated": None, "planned": "0.00", "contracted": "0.00", "paid": "0.00",
                                         "remaining": None, "unpaid": "0.00"}}]
    every = ledger(services, load_actor(services, "hrss_head"))
    assert [b["year"] for b in every["years"]] == [2026]


def test_departments_may_not_see_the_ledger_and_a_bad_year_is_not_found(services: Services) -> None:
    with pytest.raises(PermissionDenied):
        ledger(services, load_actor(services, "health_user"), 2026)
    with pytest.raises(NotFound):
        ledger(services, load_actor(services, "supervisor"), 1999)
