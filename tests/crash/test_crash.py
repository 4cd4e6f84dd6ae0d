"""The crash test's short form: the server and the timer worker killed with SIGKILL three times under
load lose nothing acknowledged and break no invariant, on SQLite and (with TEST_DATABASE_URL) PostgreSQL.

The full form (25 kills) runs from the README: `python -m bench.crash`.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from bench.crash import crash_run
from bench.fresh import fresh_database
from tests.conftest import BACKENDS, PG_URL


@pytest.mark.parametrize("database", BACKENDS)
def test_three_kills_under_load_lose_nothing_acknowledged(database: str, tmp_path: Path) -> None:
    with fresh_database(PG_URL if database == "postgresql" else None, tmp_path) as url:
        report = crash_run(url, tmp_path, kills=3, clients=1, projects=6, seed=7,
                            max_uptime=2.5)
    assert report["violations"] == []
    assert report["database"] == database and len(report["violations_per_round"]) == 3
    assert report["acknowledged_completions"] > 0, "the kills happened under load"
