"""Real-browser layout of the daily pages: nothing runs off the screen, names get room to be read."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from services.context import Services
from services.instances import show_instance
from tests.services import plan_world as world, samples
from tests.web.test_browser import PHONE, Person, chromium, live_url  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser
WIDE = {"width": 1366, "height": 900}


@pytest.fixture
def seeded(services: Services) -> dict[str, int]:
    """The demo's sample projects."""
    return samples.seed(services)


def test_a_banks_plan_figures_fit_a_phone(chromium: object, live_url: str,  # noqa: F811
                                          seeded: dict[str, int]) -> None:
    bank = Person(chromium, live_url, "abc_user", viewport=PHONE)
    bank.page.goto(f"{live_url}/plans/?year=2026")
    plan = re.search(r'href="(/plans/\d+)"', bank.page.content())
    assert plan
    for url in ("/plans/?year=2026", plan.group(1)):
        bank.page.goto(f"{live_url}{url}")
        assert bank.page.locator(".plan-figures").first.is_visible()
        assert bank.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], url
    bank.context.close()


def test_the_dashboard_list_leaves_room_for_project_names(chromium: object, live_url: str,  # noqa: F811
                                                           services: Services, seeded: dict[str, int]) -> None:
    samples.at(services, datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc))  # a payment overdue: its column is wide
    supervisor = Person(chromium, live_url, "supervisor", viewport=WIDE, home="/dashboard/")
    sizes = supervisor.page.evaluate("""() => {
      const table = document.querySelector('.dashboard-list');
      const names = [...table.querySelectorAll('td.primary a')].map(a => a.parentElement.clientWidth -
        parseFloat(getComputedStyle(a.parentElement).paddingLeft) * 2 - 6 * parseFloat(getComputedStyle(a).fontSize));
      return {narrowest: Math.min(...names), table: table.scrollWidth, room: table.parentElement.clientWidth};
    }""")
    assert sizes["narrowest"] >= 0, "six characters of a project's name fit on a line"
    assert sizes["table"] <= sizes["room"], "and the list still fits a laptop screen"
    supervisor.context.close()


def test_the_issued_documents_stay_inside_their_card(chromium: object, live_url: str,  # noqa: F811
                                                    seeded: dict[str, int]) -> None:
    clerk = Person(chromium, live_url, "hrss_clerk", viewport=WIDE)
    clerk.page.goto(f"{live_url}/projects/{seeded['payment']}")
    overflow = clerk.page.evaluate("""() => {
      const list = document.querySelector('.issued-documents');
      const card = list.closest('.card').getBoundingClientRect();
      const items = [...list.querySelectorAll('li, li *')];
      const title = list.querySelector('li a').getBoundingClientRect();
      return {count: items.length, outside: items.filter(e => e.getBoundingClientRect().right > card.right + 1).length,
              titleLines: Math.round(title.height / parseFloat(getComputedStyle(list.querySelector('li a')).lineHeight))};
    }""")
    assert overflow["count"] and overflow["outside"] == 0
    assert overflow["titleLines"] == 1, "a document's name is not squeezed to a few characters per line"
    clerk.context.close()


def test_a_plan_tasks_table_lines_up_its_amounts_and_figures(chromium: object, live_url: str,  # noqa: F811
                                                             services: Services) -> None:
    world.fix_allocation(services)
    plan = world.join(services, world.reviewed(services, "社保卡乘车码应用", "820000.00"), "bank-icbc", "820000.00")
    (task,) = [t["id"] for t in show_instance(services, None, plan)["open_tasks"]]
    clerk = Person(chromium, live_url, "hrss_clerk", viewport=WIDE)
    clerk.page.goto(f"{live_url}/tasks/{task}")
    shown = clerk.page.evaluate("""() => {
      const table = document.querySelector('.plan-table table');
      const amount = table.querySelector('tbody td:nth-child(3)');
      const rows = [...document.querySelectorAll('.plan-table dl dt')].map(dt => {
        const dd = dt.nextElementSibling;
        return Math.abs(dt.getBoundingClientRect().top - dd.getBoundingClientRect().top) < 4;
      });
      return {align: getComputedStyle(amount).textAlign, border: getComputedStyle(table).borderTopStyle,
              rows};
    }""")
    assert shown["align"] == "right" and shown["border"] == "solid", "amounts right-aligned in a ruled table"
    assert shown["rows"] and all(shown["rows"]), "each figure beside its label"
    clerk.context.close()
