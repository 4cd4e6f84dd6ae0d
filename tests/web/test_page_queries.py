"""Pages under load: each reads in one transaction, with a few statements that do not grow with what it shows."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event

from services import files
from services.comments import add_comment
from services.context import Services
from tests import support
from tests.services.journey import PDF, Journey
from tests.web.site import Site, text_of


@dataclass
class Counted:
    """What one request did on the database: how many statements each of its transactions ran."""

    transactions: list[int] = field(default_factory=list)

    @property
    def statements(self) -> int:
        return sum(self.transactions)


@contextmanager
def counting(services: Services) -> Iterator[Counted]:
    """Count the transactions begun and the statements run on *services*' engine within the block."""
    counted = Counted()

    def _begin(_conn: Any) -> None:
        counted.transactions.append(0)

    def _statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith("BEGIN"):  # SQLite's own, sent when a transaction begins
            counted.transactions[-1] += 1

    engine = services.db.engine
    event.listen(engine, "begin", _begin)
    event.listen(engine, "before_cursor_execute", _statement)
    try:
        yield counted
    finally:
        event.remove(engine, "begin", _begin)
        event.remove(engine, "before_cursor_execute", _statement)


def _costs(site: Site, services: Services, urls: dict[str, tuple[str, str]]) -> dict[str, Counted]:
    costs = {}
    for name, (username, url) in urls.items():
        user = site.user(username)
        assert user.get(url).status_code == 200  # once before: forms and models are cached per process
        with counting(services) as counted:
            assert user.get(url).status_code == 200
        costs[name] = counted
    return costs


def _declared(services: Services, department: str = "health_user") -> Journey:
    journey = Journey(services, department)
    journey.do(department, "declare", support.declare(journey.sha))
    return journey


def test_pages_read_in_one_transaction_whatever_the_number_of_projects(site: Site, services: Services) -> None:
    first = _declared(services)
    urls = {"task page": ("bdc_reviewer", f"/tasks/{first.task_id('review')}"),
            "project page": ("bdc_reviewer", f"/projects/{first.instance_id}"),
            "task list": ("bdc_reviewer", "/"), "project list": ("supervisor", "/projects/")}
    few = _costs(site, services, urls)
    for department in ("health_user", "transport_user", "culture_user") * 4:
        _declared(services, department)
    many = _costs(site, services, urls)
    for name in urls:
        assert many[name].statements == few[name].statements, (name, few[name], many[name])
        # the page reads in one snapshot; beside it only the session's and the unread notifications'
        # look-ups, one statement each
        assert len(many[name].transactions) <= 3, (name, many[name])
        assert len([n for n in many[name].transactions if n > 1]) == 1, (name, many[name])


# Statements of one request, the session's and the unread notifications' look-ups included (main had 17, 19, 11).
MOST_STATEMENTS = {"project page": 10, "task page": 11, "dashboard": 6}


def _sent_back_and_declared_again(services: Services, journey: Journey, times: int) -> None:
    """Grow what the project and task pages list: steps, history, documents and comments."""
    department = journey.actor("health_user")
    for n in range(times):
        journey.do("bdc_reviewer", "review", support.review("revise", journey.sha))
        sha = files.store_file(services, department, f"可研报告第{n + 2}稿.pdf", PDF + str(n).encode())["sha256"]
        journey.do("health_user", "declare", support.declare(sha))
        add_comment(services, department, journey.instance_id, f"已按第{n + 1}次意见修改。")


def test_project_task_and_dashboard_pages_run_a_few_statements_however_much_they_show(
        site: Site, services: Services) -> None:
    journey = _declared(services)
    urls = {"project page": ("health_user", f"/projects/{journey.instance_id}"),
            "task page": ("bdc_reviewer", f"/tasks/{journey.task_id('review')}"),
            "dashboard": ("supervisor", "/dashboard/")}
    few = _costs(site, services, urls)
    _sent_back_and_declared_again(services, journey, 3)
    for department in ("transport_user", "culture_user") * 3:
        _declared(services, department)
    urls["task page"] = ("bdc_reviewer", f"/tasks/{journey.task_id('review')}")
    many = _costs(site, services, urls)
    page = text_of(site.user("health_user").get(f"/projects/{journey.instance_id}"))
    assert "已按第3次意见修改。" in page and "可研报告第4稿.pdf" in page
    assert text_of(site.user("supervisor").get("/dashboard/")).count("社保卡乘车码应用") == 7
    statements = {name: (few[name].statements, many[name].statements) for name in urls}
    assert all(f == m <= MOST_STATEMENTS[name] for name, (f, m) in statements.items()), statements
    for name in urls:
        assert len(many[name].transactions) <= 3, (name, many[name])
        assert len([n for n in many[name].transactions if n > 1]) == 1, (name, many[name])
