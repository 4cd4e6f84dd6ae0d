"""Transport behaviour under /api/v1: JSON errors everywhere, body limits, no caching."""
from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from services.context import Services
from tests.web.api.helpers import Api
from web.app import create_app


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/v1/nothing"), ("GET", "/api/v1"), ("POST", "/api/v1/nothing/here"),
    ("GET", "/api/v1/tasks/a/b/c"),
])
def test_an_unknown_api_url_is_a_json_404(client: FlaskClient, method: str, path: str) -> None:
    response = client.open(path, method=method, headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.is_json and response.get_json()["message"]
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("method, path, allowed", [
    ("DELETE", "/api/v1/tasks", {"GET"}), ("GET", "/api/v1/tokens", {"POST"}),
    ("PUT", "/api/v1/projects/1", {"GET"}), ("GET", "/api/v1/tasks/x/complete", {"POST"}),
])
def test_a_wrong_method_is_a_json_405_with_allow(client: FlaskClient, method: str, path: str,
                                                 allowed: set[str]) -> None:
    response = client.open(path, method=method)
    assert response.status_code == 405
    assert response.is_json and response.get_json()["message"]
    assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}


def test_an_oversized_json_body_is_a_json_413(api: Api) -> None:
    huge = '{"data": {"note": "' + "x" * (2 * 1024 * 1024) + '"}}'
    response = api.post("/api/v1/tasks/x/complete", "bdc_reviewer", data=huge, content_type="application/json")
    assert response.status_code == 413
    assert response.is_json and response.get_json()["message"]
    tokens = api.client.post("/api/v1/tokens", data=huge, content_type="application/json")
    assert tokens.status_code == 413 and tokens.is_json


def test_every_answer_says_no_store(api: Api) -> None:
    answers = [api.sign_in("icbc_user"), api.get("/api/v1/tasks", "icbc_user"),
               api.get("/api/v1/projects", "icbc_user"), api.get("/api/v1/projects/1", "icbc_user"),
               api.get("/api/v1/tasks", None), api.client.get("/api/v1/openapi.json")]
    for response in answers:
        assert response.headers["Cache-Control"] == "no-store", response.request.path
        assert response.is_json


def test_a_body_that_is_not_json_is_415(api: Api) -> None:
    response = api.post("/api/v1/projects", "health_user", data="data=1",
                        content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and response.is_json


def test_an_unexpected_failure_is_a_json_500(services: Services, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YIKATONG_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("YIKATONG_SECRET_KEY", "test-secret")

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr("web.api.tasks.tasks_for", broken)
    api = Api(create_app({"TESTING": False}, services_=services).test_client())
    response = api.get("/api/v1/tasks", "icbc_user")
    assert response.status_code == 500
    assert response.is_json and "database" not in response.get_json()["message"]


@pytest.mark.parametrize("method, path, status", [
    ("GET", "/api/v1/nothing", 404), ("DELETE", "/api/v1/tasks", 405), ("GET", "/api/v2/tasks", 404),
    ("GET", "/api/", 404), ("GET", "/api/v1/projects/2147483648", 404),
])
def test_framework_errors_under_api_have_the_documented_error_shape(client: FlaskClient, method: str, path: str,
                                                                    status: int) -> None:
    response = client.open(path, method=method)
    assert response.status_code == status and response.is_json
    body = response.get_json()
    assert set(body) == {"message", "errors", "details"} and body["message"], body
