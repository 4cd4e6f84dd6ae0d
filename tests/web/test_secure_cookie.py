"""The session cookie is Secure whenever the request came over HTTPS, directly or through a trusted proxy."""
from __future__ import annotations

from flask import Flask

from services.context import Services
from web.app import create_app


def _cookie(app: Flask, base_url: str = "http://localhost", **headers: str) -> str:
    response = app.test_client().get("/login", base_url=base_url, headers=headers)
    (cookie,) = [v for v in response.headers.getlist("Set-Cookie") if v.startswith("session=")]
    return cookie


def test_over_plain_http_the_cookie_is_not_secure_but_over_https_it_is(app: Flask) -> None:
    assert "Secure" not in _cookie(app)
    assert "Secure" in _cookie(app, "https://localhost")
    assert "HttpOnly" in _cookie(app, "https://localhost") and "SameSite=Lax" in _cookie(app)


def test_https_said_by_a_trusted_proxy_makes_the_cookie_secure(app: Flask, services: Services) -> None:
    proxied = create_app({"TESTING": True, "TRUSTED_PROXIES": 1}, services_=services)
    assert "Secure" in _cookie(proxied, **{"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.3"})
    assert "Secure" not in _cookie(proxied, **{"X-Forwarded-Proto": "http", "X-Forwarded-For": "198.51.100.3"})


def test_a_client_cannot_claim_https_without_a_trusted_proxy(app: Flask) -> None:
    assert "Secure" not in _cookie(app, **{"X-Forwarded-Proto": "https"})


def test_the_secure_cookies_setting_forces_secure_cookies(app: Flask, services: Services) -> None:
    forced = create_app({"TESTING": True, "SESSION_COOKIE_SECURE": True}, services_=services)
    assert "Secure" in _cookie(forced)
