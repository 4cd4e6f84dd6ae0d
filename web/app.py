"""The Flask application factory: configuration, security, language, blueprints, error pages."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, jsonify
from flask_wtf.csrf import CSRFProtect

from services.bootstrap import build_services, instance_path
from services.context import Services
from web.request import AppRequest

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


def services() -> Services:
    """Return the services of the running application."""
    from flask import current_app

    return current_app.extensions["yikatong"]


def create_app(test_config: dict[str, Any] | None = None, services_: Services | None = None) -> Flask:
    """Create the web application around *services_* (built from the environment by default)."""
    app = Flask(__name__, instance_path=str(instance_path()))
    app.request_class = AppRequest
    app.config.from_mapping(
        SECRET_KEY=_secret_key(Path(app.instance_path)),
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        MAX_PAGE_BODY_LENGTH=MAX_PAGE_BODY_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("YIKATONG_SECURE_COOKIES") == "1",
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.config.from_mapping(test_config or {})
    app.extensions["yikatong"] = services_ or build_services()
    _register_blueprints(app)
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
