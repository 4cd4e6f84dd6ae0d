"""Operations: health and readiness, request ids, and one JSON log line per request."""
from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from models.db import Database
from models.migrate import code_head
from services import worker
from services.context import Services
from services.users import load_actor
from tests.web.api.helpers import Api
from web.app import create_app
from web.observability import REQUEST_LOG, JsonLines, RequestIdFilter


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """The request log as the servers write it: JSON lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLines())
    handler.addFilter(RequestIdFilter())
    REQUEST_LOG.addHandler(handler)
    level = REQUEST_LOG.level
    REQUEST_LOG.setLevel(logging.INFO)
    yield stream
    REQUEST_LOG.removeHandler(handler)
    REQUEST_LOG.setLevel(level)


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_health_is_ok_once_the_worker_has_run(client: FlaskClient, services: Services) -> None:
    worker.run_once(services, worker.register(services))
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["migrations"]["ok"] and body["checks"]["migrations"]["current"] == code_head()
    assert body["checks"]["worker"]["ok"] and body["checks"]["worker"]["age_seconds"] == 0


def test_health_fails_without_a_worker_while_the_process_is_still_ready(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "failing"
    assert body["checks"]["worker"]["ok"] is False and body["checks"]["worker"]["last_run_at"] is None
    assert client.get("/readyz").status_code == 200


def test_a_stale_worker_fails_health(client: FlaskClient, services: Services,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    worker.run_once(services, worker.register(services))
    services.clock.at = services.clock.at.replace(hour=services.clock.at.hour + 1)  # type: ignore[attr-defined]
    monkeypatch.setenv("YIKATONG_WORKER_MAX_AGE", "600")
    body = client.get("/healthz").get_json()
    assert body["checks"]["worker"] == {**body["checks"]["worker"], "ok": False, "age_seconds": 3600.0,
                                        "max_age_seconds": 600}


def test_a_schema_behind_the_code_is_neither_healthy_nor_ready(client: FlaskClient, services: Services) -> None:
    worker.run_once(services, worker.register(services))
    with services.db.write() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0009'"))
    try:
        for url in ("/healthz", "/readyz"):
            response = client.get(url)
            assert response.status_code == 503
            assert response.get_json()["checks"]["migrations"] == {"ok": False, "current": "0009",
                                                                   "head": code_head()}
    finally:  # the PostgreSQL test database is shared by the session's tests
        with services.db.write() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": code_head()})


def test_an_unreachable_database_is_not_ready(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("YIKATONG_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("YIKATONG_SECRET_KEY", "test-secret")
    missing = Services(db=Database(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.sqlite3'}"), files_dir=tmp_path)
    app: Flask = create_app({"TESTING": True}, services_=missing)
    for url in ("/healthz", "/readyz"):
        response = app.test_client().get(url)
        assert response.status_code == 503
        checks = response.get_json()["checks"]
        assert checks["database"] == {"ok": False, "error": "the database does not answer"}
        assert checks["migrations"]["ok"] is False
    assert "unable to open" in caplog.text and "dir.sqlite3" not in response.get_data(as_text=True)


def test_a_sane_request_id_is_kept_and_returned(client: FlaskClient, log_lines: io.StringIO) -> None:
    response = client.get("/readyz", headers={"X-Request-Id": "lb-7f3a.42"})
    assert response.headers["X-Request-Id"] == "lb-7f3a.42"
    assert _lines(log_lines)[-1]["request_id"] == "lb-7f3a.42"


@pytest.mark.parametrize("header", ["two words", "x" * 129, "", "-starts-with-a-dash", "新"])
def test_an_odd_request_id_is_replaced_by_a_new_one(client: FlaskClient, header: str) -> None:
    response = client.get("/readyz", headers={"X-Request-Id": header})
    returned = response.headers["X-Request-Id"]
    assert returned != header and len(returned) == 32 and int(returned, 16) >= 0


def test_each_request_is_one_json_line_with_its_user(client: FlaskClient, services: Services,
                                                     log_lines: io.StringIO) -> None:
    api = Api(client)
    response = api.get("/api/v1/tasks", "bdc_reviewer")
    assert response.status_code == 200
    line = _lines(log_lines)[-1]
    assert set(line) >= {"time", "level", "request_id", "method", "path", "status", "duration_ms", "user_id"}
    assert (line["level"], line["method"], line["path"], line["status"]) == ("info", "GET", "/api/v1/tasks", 200)
    assert line["request_id"] == response.headers["X-Request-Id"]
    assert line["user_id"] == load_actor(services, "bdc_reviewer").id
    assert isinstance(line["duration_ms"], float) and line["time"].endswith("+00:00")


def test_refused_and_unknown_urls_are_logged_with_their_status(client: FlaskClient, log_lines: io.StringIO) -> None:
    assert client.get("/api/v1/nothing", headers={"X-Request-Id": "abc"}).status_code == 404
    assert client.get("/api/v1/tasks").status_code == 401
    first, second = _lines(log_lines)[-2:]
    assert (first["status"], first["request_id"], "user_id" in first) == (404, "abc", False)
    assert (second["status"], second["path"]) == (401, "/api/v1/tasks")
