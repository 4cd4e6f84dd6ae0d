"""The year's allocation through the services: bank tasks scoped, shares fixed, snapshotted and immutable."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from models.tables import allocation, allocation_share, audit_event, organization, process_instance
from services.context import Services
from services.errors import NotFound, PermissionDenied, ValidationError
from services.inbox import tasks_for
from services.instances import show_instance
from services.money.allocations import allocation_for, allocation_page, start_allocation
from services.task_pages import task_page
from services.tasks import complete_task
from services.users import load_actor
from tests.services import allocation_helpers as alloc


def org_ids(ctx: Services) -> dict[str, int]:
    with ctx.db.read() as conn:
        return {r.code: r.id for r in conn.execute(select(organization.c.code, organization.c.id))}


def test_each_bank_gets_one_task_for_its_own_count_and_no_other(services: Services) -> None:
    run = alloc.start(services)
    for bank, user in alloc.BANK_USERS.items():
        tasks = [t for t in tasks_for(services, load_actor(services, user)) if t["instance_id"] == run]
        assert [t["name"] for t in tasks] == ["bank_confirm"], bank
        page = task_page(services, load_actor(services, user), tasks[0]["id"])
        assert page["form"]["properties"]["bank"]["default"] == bank
        assert page["project"]["participant_only"] is True
        assert [t["id"] for t in page["project"]["tasks"]] == [tasks[0]["id"]], "no other bank's task is shown"
    assert tasks_for(services, load_actor(services, "health_user")) == []


def test_a_bank_cannot_see_or_complete_another_banks_task(services: Services) -> None:
    run = alloc.start(services)
    icbc_task = alloc.task_of(services, "icbc_user", run, "bank_confirm")
    abc = load_actor(services, "abc_user")
    with pytest.raises(NotFound):
        complete_task(services, abc, icbc_task, alloc.CONFIRM)
    with pytest.raises(NotFound):
        task_page(services, abc, icbc_task)
    with pytest.raises(NotFound):
        show_instance(services, load_actor(services, "health_user"), run)
    with services.db.read() as conn:
        denied = conn.execute(select(audit_event.c.data).where(audit_event.c.event == "access_denied")).scalars().all()
    assert len(denied) == 3
    shown = show_instance(services, abc, run)
    assert [t["name"] for t in shown["open_tasks"]] == ["bank_confirm"]
    assert all(e["task_id"] in {t["id"] for t in shown["tasks"]} for e in shown["history"])


def test_the_approved_allocation_is_fixed_with_the_counts_beside_the_shares(services: Services) -> None:
    run = alloc.start(services, allocation_pool="1000000.01")
    alloc.confirm(services, run, "bank-abc", {"card_count_decision": "correct", "corrected_count": 300000,
                                              "correction_note": "年末口径更正。"})
    alloc.confirm(services, run, "bank-icbc")
    assert allocation_for_year(services, 2027) is None
    alloc.confirm(services, run, "bank-trcb")
    alloc.approve(services, run)
    ids = org_ids(services)
    assert allocation_for_year(services, 2027) == {
        ids["bank-icbc"]: Decimal("525252.53"), ids["bank-abc"]: Decimal("303030.31"),
        ids["bank-trcb"]: Decimal("171717.17")}
    page = allocation_page(services, load_actor(services, "supervisor"), 2027)
    assert page["fixed"]["pool"] == "1000000.01" and page["fixed"]["total_cards"] == 990000
    assert [(s["bank"], s["card_count"], s["share"]) for s in page["fixed"]["shares"]] == [
        ("bank-abc", 300000, "303030.31"), ("bank-icbc", 520000, "525252.53"), ("bank-trcb", 170000, "171717.17")]
    assert page["fixed"]["approved_by"] == "张伟（局负责人）"
    with services.db.read() as conn:
        assert conn.execute(select(process_instance.c.status).where(process_instance.c.id == run)).scalar() == \
            "completed"


def allocation_for_year(ctx: Services, year: int) -> dict[int, Decimal] | None:
    with ctx.db.read() as conn:
        return allocation_for(conn, year)


def test_a_bank_sees_only_its_own_share_and_count(services: Services) -> None:
    alloc.run_to_fixed(services)
    page = allocation_page(services, load_actor(services, "abc_user"), 2027)
    assert [(s["bank"], s["card_count"], s["share"]) for s in page["fixed"]["shares"]] == [
        ("bank-abc", 310000, "310000.00")]
    assert "pool" not in page["fixed"] and page["own_rows_only"] is True
    with pytest.raises(PermissionDenied):
        allocation_page(services, load_actor(services, "health_user"), 2027)


@pytest.mark.parametrize("statement", [
    update(allocation).values(pool=Decimal("1.00")), delete(allocation),
    update(allocation_share).values(share=Decimal("1.00")), delete(allocation_share),
])
def test_a_fixed_allocation_can_never_be_changed(services: Services, statement: object) -> None:
    alloc.run_to_fixed(services)
    before = allocation_for_year(services, 2027)
    with pytest.raises(DBAPIError, match="fixed"):
        with services.db.write() as conn:
            conn.execute(statement)  # type: ignore[arg-type]
    assert allocation_for_year(services, 2027) == before


def test_a_year_is_allocated_once(services: Services) -> None:
    alloc.run_to_fixed(services)
    with pytest.raises(ValidationError) as caught:
        alloc.start(services)
    assert {e.path: e.code for e in caught.value.fields} == {"allocation_year": "fixed"}
    alloc.start(services, allocation_year=2028)
    with pytest.raises(ValidationError) as caught:
        alloc.start(services, allocation_year=2028)
    assert {e.path: e.code for e in caught.value.fields} == {"allocation_year": "running"}


@pytest.mark.parametrize(("counts", "errors"), [
    ([{"bank": "bank-abc", "card_count": 1}, {"bank": "bank-abc", "card_count": 2}], {"card_counts.1.bank": "duplicate"}),
    ([{"bank": "bank-abc", "card_count": 0}], {"card_counts": "allZero"}),
    ([{"bank": "bank-abc", "card_count": -1}], {"card_counts.0.card_count": "minimum"}),
    ([{"bank": "bank-xyz", "card_count": 1}], {"card_counts.0.bank": "choice"}),
    ([], {"card_counts": "minItems"}),
])
def test_impossible_figures_are_refused_and_no_run_is_left_behind(services: Services, counts: list[dict[str, object]],
                                                                  errors: dict[str, str]) -> None:
    with pytest.raises(ValidationError) as caught:
        alloc.start(services, card_counts=counts)
    assert {e.path: e.code for e in caught.value.fields} == errors
    with services.db.read() as conn:
        assert conn.execute(select(process_instance.c.id)).first() is None


def test_only_the_bureau_starts_an_allocation_and_only_the_head_approves(services: Services) -> None:
    with pytest.raises(PermissionDenied):
        start_allocation(services, load_actor(services, "icbc_user"), alloc.SETUP)
    run = alloc.start(services)
    for bank in alloc.BANK_USERS:
        alloc.confirm(services, run, bank)
    task = alloc.task_of(services, "hrss_head", run, "allocation_approve")
    with pytest.raises(PermissionDenied):
        complete_task(services, load_actor(services, "hrss_clerk"), task, {"allocation_decision": "approve"})
    with pytest.raises(ValidationError) as caught:
        complete_task(services, load_actor(services, "hrss_head"), task, {"allocation_decision": "send_back"})
    assert [e.path for e in caught.value.fields] == ["allocation_comment"]
