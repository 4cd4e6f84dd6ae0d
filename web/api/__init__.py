"""The JSON API (/api/v1): tokens, tasks, projects, files, card functions, allocations, reconciliations, OpenAPI."""
from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from web.api import errors, files, openapi, oversight, projects, tasks, tokens  # noqa: F401  (they add the routes)
from web.api import documents, models  # noqa: F401
from web.api import ledger, money  # noqa: F401  (they add the routes)
from web.api import plans, reconciliations  # noqa: F401
from web.api.blueprint import bp
from web.api.fastlane import CompletionLane


def register(app: Flask, csrf: CSRFProtect) -> None:
    """Register the API under /api/v1, without CSRF (it takes bearer tokens, never cookies).

    Plain task completions are answered in front of Flask (web.api.fastlane).
    """
    csrf.exempt(bp)
    app.register_blueprint(bp)
    errors.install_unrouted(app)
    app.wsgi_app = CompletionLane(app, app.wsgi_app)  # type: ignore[method-assign]
