"""Idempotency-Key across a failure between commit points: the action and its stored answer commit together.

A "crash" here is an exception that stops the request after the use case returned (its
transaction committed) and before the answer left the server, with nothing released afterwards,
as when the process dies. The retry must get the original answer, and the action must have
happened once. A failure inside the action's transaction, after its answer was made, must leave
neither the action nor the answer, so that a retry runs the action.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from werkzeug.test import TestResponse

import web.api.idempotency as web_keys
import web.api.projects as projects_api
import web.api.tasks as tasks_api
from models.tables import audit_event, idempotency_key, process_instance
from services import idempotency
from services.context import Services
from tests import support
from tests.web.api.helpers import Api

KEY = {"Idempotency-Key": "crash-between-commits-1"}


class Crash(BaseException):
    """The process died: nothing after this point runs."""


def _count(services: Services, statement: Any) -> int:
    with services.db.read() as conn:
        return conn.execute(statement).scalar_one()


def _completions(services: Services, task_id: str) -> int:
    return _count(services, select(func.count()).select_from(audit_event).where(
        audit_event.c.event == "task_completed", audit_event.c.task_id == task_id))


def _stored_status(services: Services) -> int | None:
    with services.db.read() as conn:
        return conn.execute(select(idempotency_key.c.status).where(idempotency_key.c.key == KEY["Idempotency-Key"])
                            ).scalar_one_or_none()


def _post(api: Api, path: str, user: str, body: Any) -> TestResponse:
    return api.client.post(path, json=body, headers={**api.headers(user), **KEY})


def _dies_after(action: Callable[..., Any]) -> Callable[..., Any]:
    def committed_then_dies(*args: Any, **kwargs: Any) -> Any:
        action(*args, **kwargs)
        raise Crash()
    return committed_then_dies


@pytest.fixture
def dead_process_releases_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process that died cannot release its key; a retry must not wait the full 10 s to find out."""
    monkeypatch.setattr(web_keys, "release", lambda *_args: None)
    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 1.0)


def test_a_retry_after_a_crash_past_the_commit_gets_the_stored_answer(
        api: Api, services: Services, sha: str, monkeypatch: pytest.MonkeyPatch,
        dead_process_releases_nothing: None) -> None:
    task = api.declare(sha)["ready"][0]
    path, body = f"/api/v1/tasks/{task['id']}/complete", {"data": support.review(sha=sha)}
    monkeypatch.setattr(tasks_api, "complete_task", _dies_after(tasks_api.complete_task))
    with pytest.raises(Crash):
        _post(api, path, "bdc_reviewer", body)
    assert _completions(services, task["id"]) == 1 and _stored_status(services) == 200
    monkeypatch.undo()
    retry = _post(api, path, "bdc_reviewer", body)
    assert retry.status_code == 200 and retry.headers["Idempotent-Replayed"] == "true"
    assert retry.get_json()["task_id"] == task["id"] and retry.get_json()["ready"]
    assert _completions(services, task["id"]) == 1


def test_a_retry_after_a_crash_past_the_start_gets_the_project_it_started(
        api: Api, services: Services, sha: str, monkeypatch: pytest.MonkeyPatch,
        dead_process_releases_nothing: None) -> None:
    body = {"data": support.declare(sha)}
    monkeypatch.setattr(projects_api, "start_instance", _dies_after(projects_api.start_instance))
    with pytest.raises(Crash):
        _post(api, "/api/v1/projects", "health_user", body)
    monkeypatch.undo()
    retry = _post(api, "/api/v1/projects", "health_user", body)
    assert retry.status_code == 201 and retry.headers["Idempotent-Replayed"] == "true"
    with services.db.read() as conn:
        (only,) = conn.execute(select(process_instance.c.id)).scalars().all()
    assert retry.get_json()["instance_id"] == only and retry.headers["Location"].endswith(f"/projects/{only}")


def test_a_failure_after_the_answer_is_made_undoes_both_and_the_retry_runs(
        api: Api, services: Services, sha: str, monkeypatch: pytest.MonkeyPatch) -> None:
    task = api.declare(sha)["ready"][0]
    path, body = f"/api/v1/tasks/{task['id']}/complete", {"data": support.review(sha=sha)}
    original = idempotency.answer_in

    def answered_then_fails(*args: Any) -> None:
        original(*args)
        raise RuntimeError("the commit failed")

    monkeypatch.setattr(idempotency, "answer_in", answered_then_fails)
    try:
        failed = _post(api, path, "bdc_reviewer", body)
        assert failed.status_code == 500
    except RuntimeError:
        pass  # the test app may let the error through instead of answering 500
    assert _completions(services, task["id"]) == 0 and _stored_status(services) is None
    monkeypatch.undo()
    retry = _post(api, path, "bdc_reviewer", body)
    assert retry.status_code == 200 and "Idempotent-Replayed" not in retry.headers
    assert _completions(services, task["id"]) == 1 and _stored_status(services) == 200


def test_the_answer_is_stored_in_the_action_transaction_not_after(
        api: Api, services: Services, sha: str, monkeypatch: pytest.MonkeyPatch) -> None:
    task = api.declare(sha)["ready"][0]

    def no_second_transaction(*_args: Any) -> None:
        raise AssertionError("the answer was stored after the action committed")

    monkeypatch.setattr(web_keys, "store", no_second_transaction)
    done = _post(api, f"/api/v1/tasks/{task['id']}/complete", "bdc_reviewer", {"data": support.review(sha=sha)})
    assert done.status_code == 200 and _stored_status(services) == 200
    replay = _post(api, f"/api/v1/tasks/{task['id']}/complete", "bdc_reviewer", {"data": support.review(sha=sha)})
    assert replay.get_data() == done.get_data() and replay.headers["Idempotent-Replayed"] == "true"


def _dies_before(_action: Callable[..., Any]) -> Callable[..., Any]:
    def dies(*_args: Any, **_kwargs: Any) -> Any:
        raise Crash()
    return dies


def test_a_claim_whose_request_died_before_its_commit_is_taken_over_by_a_later_retry(
        api: Api, services: Services, sha: str, monkeypatch: pytest.MonkeyPatch,
        dead_process_releases_nothing: None) -> None:
    task = api.declare(sha)["ready"][0]
    path, body = f"/api/v1/tasks/{task['id']}/complete", {"data": support.review(sha=sha)}
    with monkeypatch.context() as dying:
        dying.setattr(tasks_api, "complete_task", _dies_before(tasks_api.complete_task))
        with pytest.raises(Crash):
            _post(api, path, "bdc_reviewer", body)
    waiting = _post(api, path, "bdc_reviewer", body)
    assert waiting.status_code == 409 and _completions(services, task["id"]) == 0
    services.clock.at += idempotency.ABANDONED_AFTER  # type: ignore[attr-defined]
    retry = _post(api, path, "bdc_reviewer", body)
    assert retry.status_code == 200 and "Idempotent-Replayed" not in retry.headers
    assert _completions(services, task["id"]) == 1 and _stored_status(services) == 200


def test_an_original_slower_than_the_takeover_changes_nothing(
        api: Api, services: Services, sha: str, monkeypatch: pytest.MonkeyPatch) -> None:
    body = {"data": support.declare(sha)}
    real = projects_api.start_instance
    api.headers("health_user")
    retries: list[TestResponse] = []

    def overtaken(*args: Any, **kwargs: Any) -> Any:
        """Before the original starts its project, two minutes pass and a retry takes the key over."""
        services.clock.at += idempotency.ABANDONED_AFTER  # type: ignore[attr-defined]
        projects_api.start_instance = real
        retries.append(_post(api, "/api/v1/projects", "health_user", body))
        return real(*args, **kwargs)

    monkeypatch.setattr(projects_api, "start_instance", overtaken)
    original = _post(api, "/api/v1/projects", "health_user", body)
    assert retries[0].status_code == 201 and "Idempotent-Replayed" not in retries[0].headers
    assert original.status_code == 409 and "took it over" in original.get_json()["message"]
    with services.db.read() as conn:
        (only,) = conn.execute(select(process_instance.c.id)).scalars().all()
    assert retries[0].get_json()["instance_id"] == only and _stored_status(services) == 201
    replay = _post(api, "/api/v1/projects", "health_user", body)
    assert replay.headers["Idempotent-Replayed"] == "true" and replay.get_data() == retries[0].get_data()
