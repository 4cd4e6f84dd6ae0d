"""The Flask application factory: configuration, security, language, blueprints, error pages."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, has_request_context, jsonify, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from services.bootstrap import build_services, instance_path
from services.context import Services
from web import observability
from web.request import AppRequest, BoundedInteger

csrf = CSRFProtect()
MAX_UPLOAD_BYTES = 21 * 1024 * 1024
# Page forms are read whole so that a file over 20 MiB becomes a field error (see web/request.py);
# beyond this the body is refused with 413 unread.
MAX_PAGE_BODY_BYTES = 256 * 1024 * 1024

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _secret_key(folder: Path) -> str:
    configured = os.environ.get("YIKATONG_SECRET_KEY")
    if configured:
        return configured
    path = folder / "secret_key"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed session cookie, marked Secure whenever the request itself came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)


def trusted_proxies(value: object) -> int:
    """Return how many reverse proxies in front of the application may be believed (0: none)."""
    text = str(value).strip()
    if not text.isdigit():
        raise ValueError(f"YIKATONG_TRUSTED_PROXIES must be a whole number of proxies (0 or more), not {text!r}")
    return int(text)


def _behind_proxies(app: Flask) -> None:
    """Take the client's address and scheme from X-Forwarded-For/-Proto as set by that many trusted proxies."""
    count = trusted_proxies(app.config["TRUSTED_PROXIES"])
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]


def services() -> Services:
    """Return the services of the running application."""
    from flask import current_app

    return current_app.extensions["yikatong"]


def create_app(test_config: dict[str, Any] | None = None, services_: Services | None = None) -> Flask:
    """Create the web application around *services_* (built from the environment by default)."""
    app = Flask(__name__, instance_path=str(instance_path()))
    app.request_class = AppRequest
    app.url_map.converters["int"] = BoundedInteger
    app.config.from_mapping(
        SECRET_KEY=_secret_key(Path(app.instance_path)),
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        MAX_PAGE_BODY_LENGTH=MAX_PAGE_BODY_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("YIKATONG_SECURE_COOKIES") == "1",
        WTF_CSRF_TIME_LIMIT=None,
        TRUSTED_PROXIES=os.environ.get("YIKATONG_TRUSTED_PROXIES", "0"),
    )
    app.config.from_mapping(test_config or {})
    app.session_interface = SessionCookies()
    _behind_proxies(app)
    app.extensions["yikatong"] = services_ or build_services()
    _register_blueprints(app)
    observability.install(app)
    csrf.init_app(app)  # after the pages' sign-in check: a refused form still shows who is signed in

    @app.after_request
    def secure_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.get("/health")
    def health() -> Any:
        g.skip_auth = True
        return jsonify(status="ok")

    return app


def _register_blueprints(app: Flask) -> None:
    from web.api import register as register_api
    from web.pages import register as register_pages

    register_api(app, csrf)
    register_pages(app)
