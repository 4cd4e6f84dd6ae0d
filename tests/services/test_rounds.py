"""The system decides a declaration's round from the day it is submitted (China's date)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from models.tables import project
from services.clock import FixedClock
from services.context import Services
from services.declaration.rounds import decide_round
from services.declaration.years import add_round, list_years, set_annual_round, update_round, year_page
from services.errors import PermissionDenied, ValidationError
from services.task_pages import task_page
from services.users import load_actor
from tests import support
from tests.services.journey import Journey

CHINA = timezone(timedelta(hours=8))


def at(ctx: Services, day: str, hour: int = 10) -> None:
    """Move the test clock to *day* at *hour* o'clock in China."""
    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.at = datetime.fromisoformat(day).replace(hour=hour, tzinfo=CHINA)


def decided(ctx: Services, day: str) -> tuple[int, str, int | None]:
    with ctx.db.read() as conn:
        found = decide_round(conn, date.fromisoformat(day))
    return found.year, found.kind, found.round_id


def stored_round(ctx: Services, instance_id: int) -> tuple[int, str, int | None]:
    with ctx.db.read() as conn:
        row = conn.execute(select(project.c.year, project.c.round, project.c.round_id)
                           .where(project.c.instance_id == instance_id)).one()
    return tuple(row)  # type: ignore[return-value]


def declaration(reason: bool, sha: str) -> dict[str, object]:
    data = support.declare(sha)
    return data if reason else {k: v for k, v in data.items() if k != "urgency_reason"}


@pytest.mark.parametrize(("day", "kind"), [
    ("2026-01-01", "annual"), ("2026-01-31", "annual"), ("2026-02-01", "supplementary"),
    ("2026-12-31", "supplementary"), ("2027-01-15", "annual"),
])
def test_january_is_the_annual_round_unless_the_bureau_says_otherwise(services: Services, day: str,
                                                                      kind: str) -> None:
    assert decided(services, day) == (int(day[:4]), kind, None)


def test_a_form_opened_on_january_31_and_submitted_on_february_1_is_judged_by_february_1(
        services: Services) -> None:
    at(services, "2026-01-31", hour=23)
    j = Journey(services)
    department = j.actor("health_user")
    form = task_page(services, department, j.task_id("declare"))["form"]
    assert form["properties"]["declaration_round"]["default"] == "annual"
    assert form["properties"]["declaration_round"]["readOnly"] is True
    at(services, "2026-02-01", hour=0)
    with pytest.raises(ValidationError) as caught:
        j.do("health_user", "declare", declaration(reason=False, sha=j.sha))
    assert {e.path: e.code for e in caught.value.fields} == {"urgency_reason": "required"}
    with pytest.raises(ValidationError) as caught:
        j.do("health_user", "declare", {**declaration(reason=False, sha=j.sha), "urgency_reason": ""})
    assert {e.path: e.code for e in caught.value.fields} == {"urgency_reason": "required"}
    j.do("health_user", "declare", declaration(reason=True, sha=j.sha))
    assert stored_round(services, j.instance_id) == (2026, "supplementary", None)


def test_china_s_date_decides_not_the_server_s(services: Services) -> None:
    services.clock.at = datetime(2026, 1, 31, 16, 30, tzinfo=timezone.utc)  # type: ignore[attr-defined]
    j = Journey(services)
    with pytest.raises(ValidationError):
        j.do("health_user", "declare", declaration(reason=False, sha=j.sha))


def test_inside_the_annual_round_no_reason_is_needed_and_the_round_is_kept_through_revisions(
        services: Services) -> None:
    at(services, "2026-01-20")
    j = Journey(services)
    j.do("health_user", "declare", declaration(reason=False, sha=j.sha))
    assert stored_round(services, j.instance_id) == (2026, "annual", None)
    at(services, "2026-02-10")
    j.do("bdc_reviewer", "review", support.review("revise", sha=j.sha))
    form = task_page(services, j.actor("health_user"), j.task_id("declare"))["form"]
    assert form["properties"]["declaration_round"]["const"] == "annual"
    j.do("health_user", "declare", declaration(reason=False, sha=j.sha))
    assert stored_round(services, j.instance_id) == (2026, "annual", None)


def test_the_user_cannot_choose_the_round(services: Services) -> None:
    j = Journey(services)
    with pytest.raises(ValidationError) as caught:
        j.do("health_user", "declare", {**support.declare(j.sha), "declaration_round": "annual",
                                        "declaration_year": 2025})
    assert {e.path: e.code for e in caught.value.fields} == {"declaration_round": "readOnly",
                                                             "declaration_year": "readOnly"}
    j.do("health_user", "declare", {**support.declare(j.sha), "declaration_round": "supplementary"})


def test_the_bureau_moves_the_annual_round_and_opens_supplementary_rounds(services: Services) -> None:
    clerk = load_actor(services, "hrss_clerk")
    set_annual_round(services, clerk, 2026, {"opens_on": "2026-02-01", "closes_on": "2026-02-28"})
    assert decided(services, "2026-01-15")[1] == "supplementary"
    assert decided(services, "2026-02-28") == (2026, "annual", None)
    second = add_round(services, clerk, 2026, {"name": "2026年第二批追加申报", "opens_on": "2026-03-01",
                                               "closes_on": "2026-03-31"})
    assert decided(services, "2026-03-02") == (2026, "supplementary", second["id"])
    services.clock = FixedClock(datetime(2026, 3, 2, 4, 0, tzinfo=timezone.utc))
    j = Journey(services)
    form = task_page(services, j.actor("health_user"), j.task_id("declare"))["form"]
    assert "2026年第二批追加申报" in form["properties"]["declaration_round_id"]["x-supplied-title"]
    j.do("health_user", "declare", support.declare(j.sha))
    assert stored_round(services, j.instance_id) == (2026, "supplementary", second["id"])
    update_round(services, clerk, second["id"], {"name": "第二批", "opens_on": "2026-03-05",
                                                 "closes_on": "2026-04-30"})
    assert decided(services, "2026-03-02")[2] is None
    page = year_page(services, 2026)
    assert page["annual"] == {"opens_on": "2026-02-01", "closes_on": "2026-02-28", "configured": True}
    assert [(r["name"], r["projects"]) for r in page["rounds"]] == [("第二批", 1)]
    assert {y["year"]: y["supplementary_rounds"] for y in list_years(services)}[2026] == 1


@pytest.mark.parametrize(("values", "errors"), [
    ({"name": "", "opens_on": "2026-03-01", "closes_on": "2026-03-31"}, {"name": "required"}),
    ({"name": "x", "opens_on": "2026-01-20", "closes_on": "2026-03-31"}, {"opens_on": "overlap"}),
    ({"name": "x", "opens_on": "2026-03-31", "closes_on": "2026-03-01"}, {"closes_on": "notBefore"}),
    ({"name": "x", "opens_on": "2026-12-01", "closes_on": "2027-01-05"}, {"closes_on": "year"}),
    ({"name": "x", "opens_on": "2026W101", "closes_on": "2026-03-01"}, {"opens_on": "date"}),
    ({"name": "x", "opens_on": " ", "closes_on": "2026-03-01"}, {"opens_on": "required"}),
    ({"name": "x", "opens_on": "2026-03-01"}, {"closes_on": "required"}),
])
def test_impossible_rounds_are_refused(services: Services, values: dict[str, str], errors: dict[str, str]) -> None:
    with pytest.raises(ValidationError) as caught:
        add_round(services, load_actor(services, "hrss_clerk"), 2026, values)
    assert {e.path: e.code for e in caught.value.fields} == errors
    assert year_page(services, 2026)["rounds"] == []


def test_rounds_may_not_overlap_and_only_the_bureau_manages_them(services: Services) -> None:
    clerk = load_actor(services, "hrss_clerk")
    add_round(services, clerk, 2026, {"name": "A", "opens_on": "2026-06-01", "closes_on": "2026-06-30"})
    with pytest.raises(ValidationError) as caught:
        add_round(services, clerk, 2026, {"name": "B", "opens_on": "2026-06-30", "closes_on": "2026-07-10"})
    assert caught.value.fields[0].code == "overlap"
    with pytest.raises(ValidationError):
        set_annual_round(services, clerk, 2026, {"opens_on": "2026-05-01", "closes_on": "2026-06-15"})
    for user in ("supervisor", "hrss_head", "health_user"):
        with pytest.raises(PermissionDenied):
            add_round(services, load_actor(services, user), 2026,
                      {"name": "C", "opens_on": "2026-09-01", "closes_on": "2026-09-30"})
