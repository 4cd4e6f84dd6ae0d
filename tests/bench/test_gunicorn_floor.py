"""The floor server of bench rows (e00) and (e01): a fixed answer, and on the commit path one durable commit first."""
from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from bench import gunicorn_floor
from bench.floor import DurableCommit
from services.context import Services


@pytest.fixture
def floor_database(services: Services, monkeypatch: pytest.MonkeyPatch) -> Iterator[Services]:
    """The test database holding (f)'s table, named to the floor app as the bench's server names it."""
    with services.db.write() as conn:  # left by an interrupted run on the shared PostgreSQL test database
        conn.execute(text(f"DROP TABLE IF EXISTS {gunicorn_floor.FLOOR_TABLE}"))
    DurableCommit("commit", services)
    monkeypatch.setenv("YIKATONG_DATABASE_URL", services.db.url)
    gunicorn_floor._database.cache_clear()
    yield services
    gunicorn_floor._database().dispose()
    gunicorn_floor._database.cache_clear()
    with services.db.write() as conn:  # not a table of the application: the shared test database drops it
        conn.execute(text(f"DROP TABLE {gunicorn_floor.FLOOR_TABLE}"))


def _call(path: str) -> tuple[str, bytes]:
    body = b'{"data": {"x": 1}}'
    environ: dict[str, Any] = {"PATH_INFO": path, "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)}
    seen: list[str] = []
    answer = b"".join(gunicorn_floor.fixed_answer(environ, lambda status, _headers: seen.append(status)))
    return seen[0], answer


def _count(services: Services) -> int:
    with services.db.read() as conn:
        return int(conn.execute(text(f"SELECT n FROM {gunicorn_floor.FLOOR_TABLE} WHERE id = 1")).scalar_one())


def test_the_commit_path_commits_one_write_and_answers_like_the_floor(floor_database: Services) -> None:
    before = _count(floor_database)
    assert _call(gunicorn_floor.COMMIT_PATH) == ("200 OK", gunicorn_floor.ANSWER)
    assert _call(gunicorn_floor.COMMIT_PATH) == ("200 OK", gunicorn_floor.ANSWER)
    assert _count(floor_database) == before + 2


def test_the_floor_path_answers_without_touching_the_database(floor_database: Services) -> None:
    before = _count(floor_database)
    assert _call("/api/v1/tasks/0/complete") == ("200 OK", gunicorn_floor.ANSWER)
    assert _count(floor_database) == before
