"""The HTML pages: one blueprint per feature, sign-in required, Chinese first."""
from __future__ import annotations

from typing import Any

from flask import Flask, g

from services.files import MAX_FILE_BYTES
from services.modeling.access import may_read_models
from services.notifications.core import unread_count
from web.app import services as ctx
from web.pages import admin, allocations, auth, clock, errors, files, functions, i18n, notifications, projects
from web.pages import admin_actions, audit, dashboard, diagrams, documents, migrations, modeler, models, tasks, years
from web.pages import ledger, plans, reconciliations

BLUEPRINTS = (auth.bp, tasks.bp, projects.bp, files.bp, admin.bp, functions.bp, years.bp, allocations.bp,
              clock.bp, notifications.bp, dashboard.bp, audit.bp, admin_actions.bp, ledger.bp, reconciliations.bp,
              documents.bp, plans.bp)
MODEL_BLUEPRINTS = (models.bp, modeler.bp, migrations.bp, diagrams.bp)
ALLOCATION_READERS = frozenset({"hrss", "hrss_head", "supervisor", "bank"})


def _navigation() -> dict[str, Any]:
    user = g.get("actor")
    return {"current_user": user, "is_admin": bool(user and "admin" in user.roles),
            "may_see_models": bool(user and may_read_models(user)),
            "sees_allocations": bool(user and user.roles & ALLOCATION_READERS),
            "sees_reconciliations": bool(user and user.roles & reconciliations.READERS),
            "unread_notifications": unread_count(ctx(), user) if user else 0}


def register(app: Flask) -> None:
    """Add the pages, the language, the sign-in check and the error pages to *app*."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    i18n.init_app(app)
    app.before_request(auth.require_sign_in)
    app.context_processor(_navigation)
    app.jinja_env.globals["max_upload_bytes"] = MAX_FILE_BYTES
    errors.init_app(app)
    for blueprint in BLUEPRINTS + MODEL_BLUEPRINTS:
        app.register_blueprint(blueprint)
