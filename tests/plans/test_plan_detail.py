"""One plan's page and API: its own table and its bank's figures of the year, reading no other plan's rows."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from services.context import Services
from services.plans.overview import plan_detail, plans_overview
from services.users import load_actor
from tests.services import plan_world as world


@contextmanager
def item_reads(ctx: Services) -> Iterator[list[Any]]:
    """Collect the parameters of every read of plan rows joined to their projects."""
    seen: list[Any] = []

    def listen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        if "FROM fund_plan_item JOIN project" in statement:
            seen.extend(parameters.values() if isinstance(parameters, dict) else parameters)

    event.listen(ctx.db.engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", listen)


def test_a_plan_shows_its_own_rows_and_the_years_figures_without_reading_the_banks_other_plans(
        services: Services) -> None:
    second = world.second_plan_at_signoff(services)
    banks = {b["bank"]: b for b in plans_overview(services, load_actor(services, "supervisor"), world.YEAR)["banks"]}
    first = next(p["id"] for p in banks["bank-icbc"]["plans"] if p["number"] == 1)
    for user in ("hrss_clerk", "icbc_user"):
        with item_reads(services) as read:
            detail = plan_detail(services, load_actor(services, user), second)
        assert first not in read and second in read
        assert [i["name"] for i in detail["items"]] == ["社保卡助残服务"]
        assert detail["total"] == {"yuan": "1234.50", "wan": "0.12345"}
        # the figures still count the signed plan 第1号 (a and b) and this one in draft
        assert detail["summary"]["planned"] == {"yuan": "821234.56", "wan": "82.123456"}
        assert detail["summary"]["in_draft"] == {"yuan": "1234.50", "wan": "0.12345"}
