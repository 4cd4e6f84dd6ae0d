"""Bearer tokens: signing in, throttling, and what an invalid or expired token gets."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient

from services.auth import MAX_FAILURES, TOKEN_LIFETIME
from services.clock import FixedClock
from services.context import Services
from tests.web.api.helpers import Api


def test_a_right_password_gives_a_bearer_token_that_opens_the_api(api: Api, services: Services) -> None:
    response = api.sign_in("icbc_user")
    assert response.status_code == 201
    body = response.get_json()
    assert body["token_type"] == "Bearer"
    assert datetime.fromisoformat(body["expires_at"]) > services.now()
    listed = api.client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {body['token']}"})
    assert listed.status_code == 200


def test_a_wrong_password_or_unknown_user_is_401_without_saying_which(api: Api) -> None:
    wrong = api.sign_in("icbc_user", "not-the-password")
    unknown = api.sign_in("nobody", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json()["message"] == unknown.get_json()["message"]
    assert "token" not in wrong.get_json()


def test_repeated_failures_are_throttled_with_429_even_for_the_right_password(api: Api) -> None:
    for _ in range(MAX_FAILURES):
        assert api.sign_in("abc_user", "guess").status_code == 401
    throttled = api.sign_in("abc_user")
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) > 0
    assert throttled.get_json()["message"]


def test_credentials_must_be_a_json_object_with_both_fields(api: Api, client: FlaskClient) -> None:
    missing = client.post("/api/v1/tokens", json={"username": "icbc_user"})
    assert missing.status_code == 400
    assert "password" in missing.get_json()["errors"]
    assert client.post("/api/v1/tokens", data="{not json", content_type="application/json").status_code == 400
    assert client.post("/api/v1/tokens", json=["icbc_user", "x"]).status_code == 400
    assert client.post("/api/v1/tokens").status_code == 400
    form = client.post("/api/v1/tokens", data={"username": "icbc_user", "password": "yikatong-demo"})
    assert form.status_code == 415


def test_no_token_is_401_with_a_bearer_challenge(client: FlaskClient) -> None:
    for path in ("/api/v1/tasks", "/api/v1/projects", "/api/v1/tasks/x", "/api/v1/projects/1"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.is_json
    assert client.post("/api/v1/projects", json={}).status_code == 401


def test_a_garbage_token_or_another_scheme_is_401(client: FlaskClient) -> None:
    garbage = client.get("/api/v1/tasks", headers={"Authorization": "Bearer not-a-token"})
    assert garbage.status_code == 401
    assert 'error="invalid_token"' in garbage.headers["WWW-Authenticate"]
    basic = client.get("/api/v1/tasks", headers={"Authorization": "Basic aWNiY191c2VyOnlpa2F0b25nLWRlbW8="})
    assert basic.status_code == 401


def test_an_expired_token_is_401(api: Api, services: Services) -> None:
    issued = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
    services.clock = FixedClock(issued)
    headers = api.headers("icbc_user")
    assert api.client.get("/api/v1/tasks", headers=headers).status_code == 200
    services.clock = FixedClock(issued + TOKEN_LIFETIME + timedelta(seconds=1))
    expired = api.client.get("/api/v1/tasks", headers=headers)
    assert expired.status_code == 401
    assert 'error="invalid_token"' in expired.headers["WWW-Authenticate"]


def test_a_revoked_token_no_longer_opens_the_api(api: Api) -> None:
    token = api.sign_in("icbc_user").get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert api.client.delete("/api/v1/tokens/current", headers=headers).status_code == 204
    assert api.client.get("/api/v1/tasks", headers=headers).status_code == 401
