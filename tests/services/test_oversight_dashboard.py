"""The dashboard's numbers are exact and its list finds, orders and pages projects as asked."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest

from services.context import Services
from services.errors import PermissionDenied, ValidationError
from services.oversight import actions
from services.oversight.dashboard import dashboard, export_rows, instance_page, overview
from services.oversight.filters import InstanceFilter
from services.oversight.listing import Sort
from services.oversight.totals import misplaced, recomputed, stored
from services.users import load_actor
from services.withdraw import withdraw
from tests import support
from tests.services import samples
from tests.services.journey import Journey

MILLION = {"budget": "1200000.00", "approved_budget": "1150000.00", "plan_amount": "1150000.00"}


def _amounts(data: dict[str, Any]) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    return {(a["bank"], a["year"], a["category"]): (a["instances"], a["budget"], a["approved_budget"],
                                                    a["plan_amount"], a["contract_price"], a["paid_total"])
            for a in data["amounts"]}


def _counts(data: dict[str, Any]) -> dict[tuple[str, str], int]:
    return {(c["stage"], c["status"]): c["instances"] for c in data["counts"]}


def _ids(page: dict[str, Any]) -> list[int]:
    return [item["instance_id"] for item in page["items"]]


def _consistent(services: Services) -> None:
    with services.db.read() as conn:
        assert stored(conn) == recomputed(conn)
        assert misplaced(conn) == []


def test_counts_and_amounts_of_the_sample_projects_are_exact(services: Services) -> None:
    samples.seed(services)
    data = overview(services, load_actor(services, "supervisor"))
    assert _counts(data) == {("review", "running"): 1, ("plan", "running"): 1, ("contract", "running"): 1,
                             ("payment", "running"): 2}
    assert (data["total"], data["by_status"]) == (5, {"running": 5})
    assert _amounts(data) == {
        (None, 2026, "it.software"): (1, "1200000.00", "0.00", "0.00", "0.00", "0.00"),
        ("bank-icbc", 2026, "it.software"): (1, "1200000.00", "1150000.00", "1150000.00", "1000000.00", "0.00"),
        ("bank-abc", 2026, "it.software"): (2, "2400000.00", "2300000.00", "2300000.00", "1000000.00",
                                            "600000.00"),
        ("bank-trcb", 2026, "promotion"): (1, "1200000.00", "1150000.00", "1150000.00", "1000000.00", "0.00"),
    }
    assert data["amount_totals"] == {"instances": 5, "budget": "6000000.00", "approved_budget": "4600000.00",
                                     "plan_amount": "4600000.00", "contract_price": "3000000.00",
                                     "paid_total": "600000.00"}


def test_paid_is_the_sum_of_the_payments_the_banks_made(services: Services) -> None:
    ids = samples.seed(services)
    j = samples.Existing(services, ids["second_payment"])
    j.notice_received("399999.99", on="2026-09-25", bank_user="abc_user")
    j.do("abc_user", "payment", support.paid("2026-09-28", "TX0002"))
    paid = sum(Decimal(p["amount"]) for p in j.show()["payments"])
    data = overview(services, load_actor(services, "hrss_head"), InstanceFilter(bank="bank-abc"))
    assert paid == Decimal("999999.99")
    assert data["amount_totals"]["paid_total"] == "999999.99"
    assert _counts(data) == {("plan", "running"): 1, ("payment", "running"): 1}


def test_totals_follow_every_kind_of_change(services: Services) -> None:
    ids = samples.seed(services)
    admin, health = load_actor(services, "admin"), load_actor(services, "health_user")
    second = samples.Existing(services, ids["second_payment"])
    second.notice_received("400000.00", on="2026-09-25", bank_user="abc_user")
    second.do("abc_user", "payment", support.paid("2026-09-28", "TX0002"))
    rejected = Journey(services)
    rejected.do("health_user", "declare", support.declare(rejected.sha))
    rejected.do("bdc_reviewer", "review", support.review("reject", sha=rejected.sha))
    withdrawn = Journey(services)
    withdrawn.do("health_user", "declare", support.declare(withdrawn.sha))
    withdraw(services, health, withdrawn.instance_id, "重复申报")
    actions.terminate(services, admin, ids["contract"], "合同无法签订")
    actions.suspend(services, admin, ids["plan"], "核查资金")
    _consistent(services)
    data = overview(services, load_actor(services, "supervisor"))
    assert _counts(data) == {("review", "running"): 1, ("payment", "running"): 1, ("plan", "suspended"): 1,
                             ("completed", "completed"): 1, ("rejected", "rejected"): 1,
                             ("withdrawn", "withdrawn"): 1, ("terminated", "terminated"): 1}
    assert data["amount_totals"] == {"instances": 7, "budget": "8400000.00", "approved_budget": "4600000.00",
                                     "plan_amount": "4600000.00", "contract_price": "3000000.00",
                                     "paid_total": "1000000.00"}
    actions.resume(services, admin, ids["plan"], "核查完毕")
    _consistent(services)
    assert _counts(overview(services, admin, InstanceFilter(status="running"))) == {
        ("review", "running"): 1, ("payment", "running"): 1, ("plan", "running"): 1}


def test_sums_of_cents_stay_exact(services: Services) -> None:
    samples.at(services, samples.SEEDED_AT)
    for budget in ("1000.10", "2000.20", "0.01", "9999999999.99"):
        j = Journey(services)
        line = {"line_category": "it.hardware", "line_item": "设备", "line_amount": budget}
        j.do("health_user", "declare", support.declare(j.sha, budget=budget, category="it.hardware",
                                                        budget_lines=[line]))
    data = overview(services, load_actor(services, "bdc_reviewer"), InstanceFilter(category="it.hardware"))
    assert data["amount_totals"]["budget"] == "10000003000.30"
    _consistent(services)


def test_payments_overdue_and_due_within_five_working_days(services: Services) -> None:
    ids = samples.seed(services)
    supervisor = load_actor(services, "supervisor")
    samples.at(services, datetime(2026, 10, 29, 2, 0, tzinfo=timezone.utc))
    data = overview(services, supervisor)
    assert data["overdue"] == {"total": 0, "items": []}
    assert (data["due_soon"]["total"], data["due_soon"]["until"]) == (1, "2026-11-05")
    (soon,) = data["due_soon"]["items"]
    assert (soon["instance_id"], soon["due"], soon["overdue"], soon["bank"]) == (
        ids["payment"], samples.PAYMENT_DUE, False, "bank-icbc")
    samples.at(services, datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc))
    data = overview(services, supervisor)
    assert (data["overdue"]["total"], data["due_soon"]["total"]) == (1, 0)
    assert data["overdue"]["items"][0]["instance_id"] == ids["payment"]
    listed = instance_page(services, supervisor, InstanceFilter(overdue=True))
    assert (_ids(listed), listed["total"]) == ([ids["payment"]], 1)
    assert (listed["items"][0]["payment_due"], listed["items"][0]["overdue"]) == (samples.PAYMENT_DUE, True)
    assert overview(services, supervisor, InstanceFilter(bank="bank-abc"))["overdue"]["total"] == 0


@pytest.mark.parametrize(("flt", "expected"), [
    (InstanceFilter(), ["second_payment", "payment", "contract", "plan", "review"]),
    (InstanceFilter(year=2026), ["second_payment", "payment", "contract", "plan", "review"]),
    (InstanceFilter(year=2025), []),
    # The round is the one open on the day of declaring: every sample was declared after January.
    (InstanceFilter(round="supplementary"), ["second_payment", "payment", "contract", "plan", "review"]),
    (InstanceFilter(round="annual"), []),
    (InstanceFilter(stage="payment"), ["second_payment", "payment"]),
    (InstanceFilter(status="running", bank="bank-icbc"), ["payment"]),
    (InstanceFilter(department="dept-health"), ["payment", "review"]),
    (InstanceFilter(category="promotion"), ["contract"]),
    (InstanceFilter(text="ht-2026"), ["second_payment", "payment"]),
    (InstanceFilter(text="TCCG-2026"), ["second_payment", "payment", "contract"]),
    (InstanceFilter(text="某信息技术"), ["second_payment", "payment", "contract"]),
    (InstanceFilter(text="乘车码"), ["payment"]),
    (InstanceFilter(text="100%"), []),
    (InstanceFilter(text="HT", bank="bank-abc"), ["second_payment"]),
])
def test_the_list_finds_projects_by_every_filter(services: Services, flt: InstanceFilter,
                                                 expected: list[str]) -> None:
    ids = samples.seed(services)
    page = instance_page(services, load_actor(services, "supervisor"), flt)
    assert _ids(page) == [ids[name] for name in expected]
    assert page["total"] == len(expected)


@pytest.mark.parametrize(("sort", "expected"), [
    (Sort("contract_price", True), ["second_payment", "payment", "contract", "plan", "review"]),
    (Sort("contract_price", False), ["contract", "payment", "second_payment", "plan", "review"]),
    (Sort("approved_budget", True), ["second_payment", "payment", "contract", "plan", "review"]),
    (Sort("paid_total", True), ["second_payment", "payment", "contract", "plan", "review"]),
    (Sort("paid_total", False), ["review", "plan", "contract", "payment", "second_payment"]),
    (Sort("id", False), ["review", "plan", "contract", "payment", "second_payment"]),
])
def test_unknown_values_sort_last_both_ways_and_pages_cross_them(services: Services, sort: Sort,
                                                                 expected: list[str]) -> None:
    ids = samples.seed(services)
    supervisor = load_actor(services, "supervisor")
    pages = [_ids(instance_page(services, supervisor, sort=sort, page=n, per_page=2)) for n in (1, 2, 3, 4)]
    assert pages == [[ids[n] for n in expected[i:i + 2]] for i in (0, 2, 4, 6)]
    exported = [item["instance_id"] for item in export_rows(services, supervisor, sort=sort)]
    assert exported == [ids[n] for n in expected]


def test_the_whole_dashboard_reads_one_snapshot(services: Services) -> None:
    samples.seed(services)
    data = dashboard(services, load_actor(services, "admin"), InstanceFilter(bank="bank-abc"),
                     Sort("paid_total", True), page=1, per_page=1)
    assert (data["total"], data["instances"]["total"], len(data["instances"]["items"])) == (2, 2, 1)
    assert data["instances"]["items"][0]["paid_total"] == "600000.00"
    assert [b["code"] for b in data["options"]["banks"]] == ["bank-abc", "bank-icbc", "bank-trcb"]
    assert data["options"]["years"] == [2026]


def test_an_unknown_organisation_in_a_filter_is_refused(services: Services) -> None:
    with pytest.raises(ValidationError) as caught:
        instance_page(services, load_actor(services, "supervisor"), InstanceFilter(bank="bank-nowhere"))
    assert caught.value.field_messages() == {"bank": "Unknown organisation bank-nowhere."}


@pytest.mark.parametrize("username", ["icbc_user", "health_user"])
def test_banks_and_departments_may_not_see_the_dashboard(services: Services, username: str) -> None:
    who = load_actor(services, username)
    for call in (lambda: overview(services, who), lambda: instance_page(services, who),
                 lambda: dashboard(services, who), lambda: export_rows(services, who)):
        with pytest.raises(PermissionDenied):
            call()
