"""The HTML pages: one blueprint per feature, sign-in required, Chinese first."""
from __future__ import annotations

from typing import Any

from flask import Flask, g

from web.pages import admin, admin_actions, audit, auth, dashboard, errors, files, i18n, projects, tasks

BLUEPRINTS = (auth.bp, tasks.bp, projects.bp, files.bp, admin.bp, dashboard.bp, audit.bp, admin_actions.bp)


def _navigation() -> dict[str, Any]:
    user = g.get("actor")
    return {"current_user": user, "is_admin": bool(user and "admin" in user.roles)}


def register(app: Flask) -> None:
    """Add the pages, the language, the sign-in check and the error pages to *app*."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    i18n.init_app(app)
    app.before_request(auth.require_sign_in)
    app.context_processor(_navigation)
    errors.init_app(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
