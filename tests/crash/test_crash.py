"""The crash test's short form: the server and the timer worker killed with SIGKILL three times under
load lose nothing acknowledged and break no invariant, on SQLite and (with TEST_DATABASE_URL) PostgreSQL.

The full form (25 kills) runs from the README: `python -m bench.crash`.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bench.crash import crash_run, lost_acknowledged
from bench.fresh import fresh_database
from models.tables import human_task
from services.context import Services
from tests.conftest import BACKENDS, PG_URL
from tests.services.samples import seed


@pytest.mark.parametrize("database", BACKENDS)
def test_three_kills_under_load_lose_nothing_acknowledged(database: str, tmp_path: Path) -> None:
    with fresh_database(PG_URL if database == "postgresql" else None, tmp_path) as url:
        report = crash_run(url, tmp_path, kills=3, clients=1, projects=6, seed=7,
                            max_uptime=2.5)
    assert report["violations"] == []
    assert report["database"] == database and len(report["violations_per_round"]) == 3
    assert report["server"].startswith("serve --production --workers 3 --threads 4"), "killed as production runs"
    assert report["acknowledged_completions"] > 0, "the kills happened under load"


def test_an_acknowledged_completion_the_database_lacks_is_reported(services: Services) -> None:
    seed(services)
    with services.db.read() as conn:
        rows = dict(conn.execute(select(human_task.c.status, human_task.c.id)).all())
    report = lost_acknowledged(services, [rows["completed"], rows["ready"]])
    assert [v["task_id"] for v in report] == [rows["ready"]]
    assert "acknowledged but is ready with 0 audit entries" in report[0]["detail"]
