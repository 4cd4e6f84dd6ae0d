"""Hostile money, dates and bodies through /api/v1: refused with 400/413/422 naming the field; nothing written.

Money travels as a string of yuan with at most two decimals; dates as YYYY-MM-DD. Every value below is
sent to a task's form (the BDC's approved budget, the bank's payment date) and to the allocation's
figures (the pool, a bank's card count); the whole database is compared before and after.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from werkzeug.test import TestResponse

from models.tables import metadata
from services.context import Services
from tests import support
from tests.services import allocation_helpers as alloc
from tests.web.api.helpers import Api

HOSTILE_AMOUNTS: list[Any] = ["NaN", "1e309", "-0.00", "0.001", "１２３", "１２３.００", 12.5, 100, "Infinity",
                              "1e3", " 12.00", "12,00", "0x10", "", "9" * 40, None, True, ["1.00"], {"yuan": "1.00"}]
HOSTILE_DATES: list[Any] = ["2026-W05-1", "2026-02-30", "+02026-01-01", "2026-9-1", "20260901", "2026-09-01T00:00",
                            "２０２６-０９-０１", "2026-09-01\n", "1" * 10_000, 20260901, None]
# Signing the caller in (to get a token) is not part of the refused request.
SIGN_IN_TABLES = {"api_token", "login_attempt"}
# Not JSON at all: the body is refused before any field is looked at.
NOT_JSON_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e309", "-1e309"]


def everything(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    """Return every row of every table but the sign-in ones (the test database is small)."""
    with services.db.read() as conn:
        return {t.name: sorted(map(tuple, conn.execute(select(t))), key=repr)
                for t in metadata.sorted_tables if t.name not in SIGN_IN_TABLES}


def refused(services: Services, send: Callable[[], TestResponse], statuses: tuple[int, ...] = (422,)) -> dict[str, Any]:
    """Send a request that must be refused; check that it changed nothing; return its JSON body."""
    before = everything(services)
    response = send()
    assert response.status_code in statuses, (response.status_code, response.get_json())
    assert response.is_json and response.get_json()["message"]
    assert everything(services) == before, "a refused request wrote something"
    return response.get_json()


def raw(api: Api, path: str, user: str, text: str) -> TestResponse:
    """POST *text* as an application/json body."""
    return api.post(path, user, data=text, content_type="application/json")


@pytest.fixture
def review(api: Api, sha: str) -> dict[str, Any]:
    """The BDC's review of a new declaration (its form has the money field approved_budget)."""
    (task,) = api.declare(sha)["ready"]
    return task


@pytest.mark.parametrize("amount", HOSTILE_AMOUNTS, ids=repr)
def test_a_hostile_amount_in_a_task_form_is_refused_on_its_field(api: Api, services: Services, sha: str,
                                                                 review: dict[str, Any], amount: Any) -> None:
    data = {**support.review(sha=sha), "approved_budget": amount}
    body = refused(services, lambda: api.complete(review, data))
    assert set(body["errors"]) == {"approved_budget"}, body


@pytest.mark.parametrize("amount", HOSTILE_AMOUNTS, ids=repr)
def test_a_hostile_allocation_pool_is_refused_on_its_field(api: Api, services: Services, amount: Any) -> None:
    body = refused(services, lambda: api.post("/api/v1/allocations", "hrss_clerk",
                                              {"data": {**alloc.SETUP, "allocation_pool": amount}}))
    assert set(body["errors"]) == {"allocation_pool"}, body


@pytest.mark.parametrize("count", [12.5, "12", -1, 2**63, 1e20, "１２", None, True], ids=repr)
def test_a_hostile_card_count_is_refused_on_its_field(api: Api, services: Services, count: Any) -> None:
    counts = [{**alloc.SETUP["card_counts"][0], "card_count": count}, *alloc.SETUP["card_counts"][1:]]
    body = refused(services, lambda: api.post("/api/v1/allocations", "hrss_clerk",
                                              {"data": {**alloc.SETUP, "card_counts": counts}}))
    assert set(body["errors"]) == {"card_counts.0.card_count"}, body


@pytest.mark.parametrize("year", [2027.0, "2027", "２０２７", 2**63, -2027, None], ids=repr)
def test_a_hostile_allocation_year_is_refused_on_its_field(api: Api, services: Services, year: Any) -> None:
    body = refused(services, lambda: api.post("/api/v1/allocations", "hrss_clerk",
                                              {"data": {**alloc.SETUP, "allocation_year": year}}))
    assert set(body["errors"]) == {"allocation_year"}, body


@pytest.mark.parametrize("number", NOT_JSON_NUMBERS)
def test_numbers_json_does_not_have_are_a_400_that_says_where(api: Api, services: Services,
                                                              review: dict[str, Any], number: str) -> None:
    text = '{"data": {"review_decision": "approve", "approved_budget": ' + number + "}}"
    body = refused(services, lambda: raw(api, f"/api/v1/tasks/{review['id']}/complete", "bdc_reviewer", text),
                   (400,))
    assert "not valid JSON" in body["message"] and "column" in body["message"], body
    text = '{"data": {"allocation_year": 2027, "allocation_pool": ' + number + "}}"
    body = refused(services, lambda: raw(api, "/api/v1/allocations", "hrss_clerk", text), (400,))
    assert "not valid JSON" in body["message"], body


@pytest.mark.parametrize("day", HOSTILE_DATES, ids=lambda d: repr(d)[:30])
def test_a_hostile_date_in_a_task_form_is_refused_on_its_field(api: Api, services: Services, sha: str,
                                                               day: Any) -> None:
    task = api.advance(api.declare(sha), sha, until="payment")
    body = refused(services, lambda: api.complete(task, {**support.paid(), "paid_on": day}))
    assert set(body["errors"]) == {"paid_on"}, body


def test_an_oversized_body_is_413_and_changes_nothing(api: Api, services: Services, review: dict[str, Any]) -> None:
    pool = "1" * (2 * 1024 * 1024)
    refused(services, lambda: api.post("/api/v1/allocations", "hrss_clerk",
                                       {"data": {**alloc.SETUP, "allocation_note": pool}}), (413,))
    refused(services, lambda: api.complete(review, {"review_opinion": pool}), (413,))


def nested(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


@pytest.mark.parametrize("depth", [64, 1000, 100_000])
def test_a_deeply_nested_body_is_refused_and_changes_nothing(api: Api, services: Services,
                                                             review: dict[str, Any], depth: int) -> None:
    text = '{"data": {"allocation_year": 2027, "allocation_pool": ' + nested(depth) + "}}"
    refused(services, lambda: raw(api, "/api/v1/allocations", "hrss_clerk", text), (400, 422))
    text = '{"data": {"review_decision": "approve", "approved_budget": ' + nested(depth) + "}}"
    refused(services, lambda: raw(api, f"/api/v1/tasks/{review['id']}/complete", "bdc_reviewer", text),
            (400, 422))


@pytest.mark.parametrize("path", ["/api/v1/projects/99999999999999999999", "/api/v1/years/2147483648",
                                  "/api/v1/allocations/99999999999999999999",
                                  "/api/v1/projects/99999999999999999999/diagram",
                                  "/api/v1/process-models/fund_project/versions/99999999999999999999"])
def test_a_number_too_large_for_the_database_in_a_url_is_a_json_404(api: Api, path: str) -> None:
    response = api.get(path, "supervisor")
    assert response.status_code == 404 and set(response.get_json()) == {"message", "errors", "details"}


@pytest.mark.parametrize("path", ["/api/v1/projects?page=99999999999999999999",
                                  "/api/v1/process-models/fund_project/migrations?to=99999999999999999999",
                                  "/api/v1/dashboard?page=99999999999999999999", "/api/v1/tasks?limit=1e3"])
def test_a_number_too_large_in_a_query_is_a_400_on_the_parameter(api: Api, path: str) -> None:
    response = api.client.get(path, headers=api.headers("process_owner"))
    assert response.status_code == 400 and set(response.get_json()["errors"]) == {path.split("?")[1].split("=")[0]}


def test_a_page_address_with_a_huge_number_is_a_404_page(api: Api) -> None:
    assert api.client.get("/projects/99999999999999999999").status_code in (302, 404)


def test_a_nul_character_is_refused_on_its_field_and_changes_nothing(api: Api, services: Services,
                                                                      review: dict[str, Any]) -> None:
    body = refused(services, lambda: api.post("/api/v1/card-functions", "hrss_clerk",
                                              {"code": "culture-museum", "name": "博物馆\x00", "department": "dept-culture"}),
                   (422,))
    assert set(body["errors"]) == {"name"}
    body = refused(services, lambda: api.complete(review, {"review_decision": "approve", "review_opinion": "好\x00"}))
    assert set(body["errors"]) == {"data.review_opinion"}
    assert api.sign_in("health\x00user").status_code == 422
    assert api.client.get("/api/v1/projects", query_string={"q": "a\x00"},
                          headers=api.headers("supervisor")).status_code == 422
    assert api.get("/api/v1/tasks/a%00b", "bdc_reviewer").status_code == 404
    assert api.get("/api/v1/card-functions/a%00b", "bdc_reviewer").status_code == 404
