"""Idempotency-Key: a retry gets the first answer and changes nothing, also when it races the original."""
from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from models.tables import allocation_run, audit_event, idempotency_key, process_instance
from services import worker
from services.context import Services
from tests import support
from tests.services import allocation_helpers as alloc
from tests.web.api.helpers import Api
from web.cli import main

KEY = {"Idempotency-Key": "6f1c2a7e-retry-1"}


def _count(services: Services, statement: Any) -> int:
    with services.db.read() as conn:
        return conn.execute(statement).scalar_one()


def _instances(services: Services) -> int:
    return _count(services, select(func.count()).select_from(process_instance))


def _post(api: Api, path: str, user: str, body: Any, key: dict[str, str] = KEY) -> TestResponse:
    return api.client.post(path, json=body, headers={**api.headers(user), **key})


def test_a_retry_gets_the_first_answer_and_starts_nothing(api: Api, services: Services, sha: str) -> None:
    body = {"data": support.declare(sha)}
    first = _post(api, "/api/v1/projects", "health_user", body)
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    retry = _post(api, "/api/v1/projects", "health_user", body)
    assert (retry.status_code, retry.get_json()) == (201, first.get_json())
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.headers["Location"] == first.headers["Location"]
    assert _instances(services) == 1


def test_the_same_key_for_another_request_is_refused(api: Api, services: Services, sha: str) -> None:
    started = _post(api, "/api/v1/projects", "health_user", {"data": support.declare(sha)}).get_json()
    other = _post(api, "/api/v1/projects", "health_user", {"data": support.declare(sha, project_name="另一个")})
    assert other.status_code == 422
    assert list(other.get_json()["errors"]) == ["Idempotency-Key"]
    task = started["ready"][0]
    elsewhere = _post(api, f"/api/v1/tasks/{task['id']}/complete", "health_user", {"data": {}})
    assert elsewhere.status_code == 422 and "different request" in elsewhere.get_json()["message"]
    assert _instances(services) == 1


def test_a_key_belongs_to_one_user(api: Api, services: Services, sha: str) -> None:
    body = {"data": support.declare(sha)}
    mine = _post(api, "/api/v1/projects", "health_user", body)
    theirs = _post(api, "/api/v1/projects", "transport_user", {"data": support.declare(sha)})
    assert mine.status_code == theirs.status_code == 201
    assert mine.get_json()["instance_id"] != theirs.get_json()["instance_id"]
    assert _instances(services) == 2


def test_a_refused_action_keeps_no_key_so_the_corrected_request_runs(api: Api, sha: str) -> None:
    task = api.declare(sha)["ready"][0]
    path = f"/api/v1/tasks/{task['id']}/complete"
    refused = _post(api, path, "bdc_reviewer", {"data": {"review_decision": "maybe"}})
    assert refused.status_code == 422 and "Idempotency-Key" not in refused.get_json()["errors"]
    done = _post(api, path, "bdc_reviewer", {"data": support.review(sha=sha)})
    assert done.status_code == 200 and "Idempotent-Replayed" not in done.headers
    assert _post(api, path, "bdc_reviewer", {"data": support.review(sha=sha)}).get_json() == done.get_json()


@pytest.mark.parametrize("key", ["two words", "x" * 201, "", "键"])
def test_an_unusable_key_is_a_bad_request(api: Api, key: str, sha: str) -> None:
    response = _post(api, "/api/v1/projects", "health_user", {"data": support.declare(sha)},
                     {"Idempotency-Key": key})
    assert response.status_code == 400 and list(response.get_json()["errors"]) == ["Idempotency-Key"]


def _race(app: Flask, path: str, token: str, body: Any, racers: int = 6) -> list[TestResponse]:
    """POST the same request with the same key from *racers* threads released at once."""
    barrier, answers = threading.Barrier(racers), [None] * racers

    def one(i: int) -> None:
        client = app.test_client()
        barrier.wait()
        answers[i] = client.post(path, json=body, headers={"Authorization": f"Bearer {token}", **KEY})

    threads = [threading.Thread(target=one, args=(i,)) for i in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return answers  # type: ignore[return-value]


def _one_original(answers: list[TestResponse], ok: int) -> dict[str, Any]:
    assert {a.status_code for a in answers} <= {ok, 409}, [a.get_json() for a in answers]
    succeeded = [a for a in answers if a.status_code == ok]
    assert succeeded and all(a.get_json() == succeeded[0].get_json() for a in succeeded)
    assert sum("Idempotent-Replayed" not in a.headers for a in succeeded) == 1
    return succeeded[0].get_json()


def test_retries_racing_the_original_complete_the_task_once(app: Flask, api: Api, services: Services,
                                                            sha: str) -> None:
    task = api.declare(sha)["ready"][0]
    api.headers("bdc_reviewer")
    answers = _race(app, f"/api/v1/tasks/{task['id']}/complete", api.tokens["bdc_reviewer"],
                    {"data": support.review(sha=sha)})
    assert _one_original(answers, 200)["task_id"] == task["id"]
    assert _count(services, select(func.count()).select_from(audit_event).where(
        audit_event.c.event == "task_completed", audit_event.c.task_id == task["id"])) == 1


def test_retries_racing_the_original_start_one_project(app: Flask, api: Api, services: Services, sha: str) -> None:
    api.headers("health_user")
    answers = _race(app, "/api/v1/projects", api.tokens["health_user"], {"data": support.declare(sha)})
    _one_original(answers, 201)
    assert _instances(services) == 1


def test_starting_an_allocation_twice_with_one_key_starts_one(api: Api, services: Services) -> None:
    first = _post(api, "/api/v1/allocations", "hrss_clerk", {"data": alloc.SETUP})
    retry = _post(api, "/api/v1/allocations", "hrss_clerk", {"data": alloc.SETUP})
    assert first.status_code == retry.status_code == 201 and retry.get_json() == first.get_json()
    assert _count(services, select(func.count()).select_from(allocation_run)) == 1


def test_a_key_expires_after_a_day_and_is_purged(api: Api, services: Services, sha: str, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    body = {"data": support.declare(sha)}
    first = _post(api, "/api/v1/projects", "health_user", body).get_json()
    services.clock.at += timedelta(hours=23, minutes=59)  # type: ignore[attr-defined]
    assert _post(api, "/api/v1/projects", "health_user", body).get_json() == first
    services.clock.at += timedelta(minutes=2)  # type: ignore[attr-defined]
    later = _post(api, "/api/v1/projects", "health_user", body)
    assert later.status_code == 201 and later.get_json()["instance_id"] != first["instance_id"]
    _post(api, "/api/v1/projects", "transport_user", body, {"Idempotency-Key": "other"})
    services.clock.at += timedelta(hours=24)  # type: ignore[attr-defined]
    worker.run_once(services, worker.register(services))
    assert _count(services, select(func.count()).select_from(idempotency_key)) == 0
    _post(api, "/api/v1/projects", "transport_user", body, {"Idempotency-Key": "third"})
    services.clock.at += timedelta(hours=25)  # type: ignore[attr-defined]
    monkeypatch.setenv("YIKATONG_DATABASE_URL", services.db.url)
    monkeypatch.setenv("YIKATONG_INSTANCE_PATH", str(tmp_path))
    result = CliRunner().invoke(main, ["keys", "purge"], obj={"services": services})
    assert result.exit_code == 0 and '"purged": 1' in result.output


def test_the_document_declares_the_header_on_the_three_actions(api: Api) -> None:
    paths = api.client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/tasks/{task_id}/complete", "/api/v1/projects", "/api/v1/allocations"):
        names = [p.get("name") for p in paths[path]["post"].get("parameters", [])]
        assert "Idempotency-Key" in names, path
