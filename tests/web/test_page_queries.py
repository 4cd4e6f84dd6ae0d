"""Pages under load: each reads in one transaction, and no more statements with more projects (no N+1)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event

from services.context import Services
from tests import support
from tests.services.journey import Journey
from tests.web.site import Site


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
