"""SQLite's planner gets statistics of the dashboard's tables, so that a narrow filter's index is chosen."""
from __future__ import annotations

from sqlalchemy import text

from services.context import Services
from services.maintenance import refresh_statistics
from services.oversight.filters import InstanceFilter, resolve
from services.oversight.listing import Sort, parts
from tests.services import samples
from web.maintenance import refresh_once


def test_the_statistics_are_refreshed_without_disturbing_anything(services: Services) -> None:
    ids = samples.seed(services)
    refresh_statistics(services)
    assert refresh_once(services) is True
    with services.db.read() as conn:
        if services.db.is_sqlite:
            analyzed = set(conn.execute(text("SELECT tbl FROM sqlite_stat1")).scalars())
            assert {"project", "oversight_total"} <= analyzed
        query = parts(resolve(conn, InstanceFilter(bank="bank-icbc", year=2026)), Sort(), samples.SEEDED_AT)[0]
        assert list(conn.execute(query).scalars()) == [ids["payment"]]
