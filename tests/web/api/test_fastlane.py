"""Plain task completions are answered in front of Flask (web.api.fastlane), exactly as Flask answers them.

A request with a query string always goes through Flask, so the same completion sent with and
without one shows the two paths side by side.
"""
from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from models.tables import audit_event, human_task
from services.auth import revoke_api_token
from services.context import Services
from tests.web.api.helpers import Api, form_data

VARYING = {"X-Request-Id", "Content-Length"}  # a new id per request; the body's ids differ in length


@pytest.fixture
def flask_calls(app: Flask) -> list[str]:
    """The paths of the requests Flask's own request handling saw."""
    seen: list[str] = []
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: seen.append(_path()))
    return seen


def _path() -> str:
    from flask import request
    return request.path


def _reviews(api: Api, sha: str, count: int) -> list[dict[str, Any]]:
    """Declare *count* projects; return their review tasks, the reviewer's token used once."""
    tasks = [api.declare(sha)["ready"][0] for _ in range(count)]
    assert api.get(f"/api/v1/tasks/{tasks[0]['id']}", "bdc_reviewer").status_code == 200
    return tasks


def _complete(api: Api, task: dict[str, Any], data: dict[str, Any], *, through_flask: bool = False,
              **headers: str) -> Any:
    return api.client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": data},
                           headers={**api.headers("bdc_reviewer"), **headers},
                           query_string={"via": "flask"} if through_flask else None)


def _headers(answer: Any) -> dict[str, str]:
    return {name: value for name, value in answer.headers.items() if name not in VARYING}


def _same_answer(lane: Any, flask: Any) -> None:
    assert lane.status == flask.status  # the whole status line, reason phrase included
    assert _headers(lane) == _headers(flask)
    assert lane.headers["X-Request-Id"] and flask.headers["X-Request-Id"]


def _completed(services: Services) -> int:
    with services.db.read() as conn:
        return conn.execute(select(func.count()).select_from(audit_event)
                            .where(audit_event.c.event == "task_completed")).scalar_one()


def test_a_plain_completion_skips_flask_and_answers_as_flask_does(
        api: Api, sha: str, flask_calls: list[str]) -> None:
    lane_task, flask_task = _reviews(api, sha, 2)
    flask_calls.clear()
    lane = _complete(api, lane_task, form_data("review", sha))
    assert flask_calls == []
    flask = _complete(api, flask_task, form_data("review", sha), through_flask=True)
    assert flask_calls == [f"/api/v1/tasks/{flask_task['id']}/complete"]
    assert lane.status_code == 200, lane.get_json()
    _same_answer(lane, flask)
    assert lane.headers["Cache-Control"] == "no-store"
    assert lane.headers["X-Frame-Options"] == "DENY"
    mine, theirs = lane.get_json(), flask.get_json()
    assert mine.keys() == theirs.keys() and mine["task_id"] == lane_task["id"]
    assert [t["name"] for t in mine["ready"]] == [t["name"] for t in theirs["ready"]]


@pytest.mark.parametrize("case", ["invalid form", "done already", "unknown task"])
def test_a_refused_completion_gets_flasks_error_and_changes_nothing(
        api: Api, sha: str, services: Services, flask_calls: list[str], case: str) -> None:
    first, second = _reviews(api, sha, 2)
    data = form_data("review", sha)
    if case == "invalid form":
        data = {**data, "decision": "maybe"}
    elif case == "done already":
        for task in (first, second):
            assert _complete(api, task, data).status_code == 200
    else:
        first, second = {"id": "no-such-task"}, {"id": "no-such-task"}
    before = _completed(services)
    flask_calls.clear()
    lane = _complete(api, first, data)
    assert flask_calls == []
    flask = _complete(api, second, data, through_flask=True)
    assert lane.status_code in (404, 409, 422), lane.get_json()
    _same_answer(lane, flask)
    assert lane.get_json() == flask.get_json() or case == "done already"
    assert lane.get_json().keys() == {"message", "errors", "details"}
    assert _completed(services) == before


def test_a_token_revoked_since_its_last_use_is_refused_in_the_lane(
        api: Api, sha: str, services: Services, flask_calls: list[str]) -> None:
    (task,) = _reviews(api, sha, 1)
    assert revoke_api_token(services, api.tokens["bdc_reviewer"])
    flask_calls.clear()
    answer = _complete(api, task, form_data("review", sha))
    assert flask_calls == []
    assert answer.status_code == 401
    assert 'error="invalid_token"' in answer.headers["WWW-Authenticate"]
    with services.db.read() as conn:
        assert conn.execute(select(human_task.c.status).where(human_task.c.id == task["id"])).scalar_one() == "ready"
    again = _complete(api, task, form_data("review", sha))  # no longer remembered: Flask looks it up
    assert again.status_code == 401 and flask_calls


@pytest.mark.parametrize("change", [
    {"cookie": "probe"},
    {"headers": {"Idempotency-Key": "k-1"}},
    {"body": {"data": {}, "extra": 1}},
    {"body": {"data": "text"}},
    {"raw": b"{not json", "content_type": "application/json"},
    {"raw": b'{"data": {}}', "content_type": "text/plain"},
])
def test_anything_but_a_plain_completion_goes_to_flask(
        api: Api, sha: str, flask_calls: list[str], change: dict[str, Any]) -> None:
    (task,) = _reviews(api, sha, 1)
    if "cookie" in change:
        api.client.set_cookie(change["cookie"], "1")
    flask_calls.clear()
    kwargs: dict[str, Any] = {"headers": {**api.headers("bdc_reviewer"), **change.get("headers", {})}}
    if "raw" in change:
        kwargs.update(data=change["raw"], content_type=change["content_type"])
    else:
        kwargs["json"] = change.get("body", {"data": form_data("review", sha)})
    answer = api.client.post(f"/api/v1/tasks/{task['id']}/complete", **kwargs)
    assert flask_calls == [f"/api/v1/tasks/{task['id']}/complete"]
    assert answer.status_code in (200, 400, 415), answer.get_json()


def test_a_lane_completion_logs_one_request_line(
        api: Api, sha: str, caplog: pytest.LogCaptureFixture) -> None:
    (task,) = _reviews(api, sha, 1)
    caplog.set_level(logging.INFO, logger="yikatong.request")
    answer = _complete(api, task, form_data("review", sha), **{"X-Request-Id": "bank-batch-7"})
    assert answer.status_code == 200 and answer.headers["X-Request-Id"] == "bank-batch-7"
    (line,) = [r for r in caplog.records if r.name == "yikatong.request"]
    assert (line.request_id, line.method, line.status) == ("bank-batch-7", "POST", 200)
    assert line.path == f"/api/v1/tasks/{task['id']}/complete" and line.user_id is not None
    assert line.duration_ms > 0
