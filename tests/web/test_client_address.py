"""The client's address: the socket's, or from a configured number of trusted proxies; never a free header."""
from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from models.tables import user_session
from services.context import Services
from services.demo import DEMO_PASSWORD
from tests.web.site import token_in
from web.app import create_app


def sign_in(client: FlaskClient, username: str, password: str, **environ: str):  # type: ignore[no-untyped-def]
    token = token_in(client.get("/login", environ_base=environ).get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       environ_base=environ)


def behind_proxy(forwarded_for: str) -> dict[str, str]:
    return {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": forwarded_for}


@pytest.fixture
def proxied_app(services: Services, app: Flask) -> Flask:
    """The application behind one trusted reverse proxy."""
    return create_app({"TESTING": True, "TRUSTED_PROXIES": 1}, services_=services)


def test_without_trusted_proxies_x_forwarded_for_changes_nothing(app: Flask) -> None:
    client = app.test_client()
    for n in range(5):
        answer = sign_in(client, "admin", "wrong-password", REMOTE_ADDR="192.0.2.1",
                         HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        assert answer.status_code == 401
    refused = sign_in(client, "admin", DEMO_PASSWORD, REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 900


def test_admin_locked_out_from_one_client_still_signs_in_from_another(app: Flask) -> None:
    attacker, admin = app.test_client(), app.test_client()
    for _ in range(5):
        assert sign_in(attacker, "admin", "wrong-password", REMOTE_ADDR="203.0.113.5").status_code == 401
    assert sign_in(attacker, "admin", DEMO_PASSWORD, REMOTE_ADDR="203.0.113.5").status_code == 429
    assert sign_in(admin, "admin", DEMO_PASSWORD, REMOTE_ADDR="192.0.2.44").status_code == 302


def test_behind_a_trusted_proxy_the_forwarded_client_is_the_client(proxied_app: Flask, services: Services) -> None:
    attacker, admin = proxied_app.test_client(), proxied_app.test_client()
    for _ in range(5):
        assert sign_in(attacker, "admin", "wrong-password", **behind_proxy("203.0.113.9")).status_code == 401
    assert sign_in(attacker, "admin", DEMO_PASSWORD, **behind_proxy("203.0.113.9")).status_code == 429
    assert sign_in(admin, "admin", DEMO_PASSWORD, **behind_proxy("198.51.100.3")).status_code == 302
    with services.db.read() as conn:
        assert conn.execute(select(user_session.c.ip)).scalars().all() == ["198.51.100.3"]


def test_the_api_says_when_to_try_again(client: FlaskClient) -> None:
    for _ in range(5):
        assert client.post("/api/v1/tokens", json={"username": "admin", "password": "x"}).status_code == 401
    refused = client.post("/api/v1/tokens", json={"username": "admin", "password": DEMO_PASSWORD})
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 900


@pytest.mark.parametrize("value", ["-1", "two", "1.5"])
def test_a_wrong_number_of_trusted_proxies_stops_the_start(services: Services, value: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YIKATONG_TRUSTED_PROXIES", value)
    with pytest.raises(ValueError, match="YIKATONG_TRUSTED_PROXIES"):
        create_app({"TESTING": True}, services_=services)
