"""Language: Chinese by default, English on request (?lang=en), remembered in the session."""
from __future__ import annotations

from typing import Any

from babel.support import NullTranslations
from flask import Flask, g, has_app_context, request, session, url_for
from flask_babel import Babel, Domain, get_locale

from web.pages import formatting, labels

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
babel = Babel()
_TRANSLATIONS = "yikatong_translations"


class RequestDomain(Domain):  # type: ignore[misc]
    """Flask-Babel's message domain, with the translations looked up once per request.

    Flask-Babel finds the request's locale and its catalog again at every gettext call (several
    context-local lookups and the locale written out as text each time), and a page makes hundreds
    of such calls. The locale of a request does not change once chosen (nothing here calls
    `flask_babel.refresh`), so the first lookup serves the rest of the request.
    """

    def get_translations(self) -> NullTranslations:
        if not has_app_context():
            return super().get_translations()
        found = g.get(_TRANSLATIONS)
        if found is None:
            found = super().get_translations()
            setattr(g, _TRANSLATIONS, found)
        return found


def select_locale() -> str:
    """Return the language of this request: ?lang=, else the session's choice, else Chinese."""
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        return wanted
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def remember_language() -> None:
    """Store a language asked for with ?lang= in the session."""
    wanted = request.args.get("lang")
    if wanted in LANGUAGES and session.get("lang") != wanted:
        session["lang"] = wanted


def switch_url(language: str) -> str:
    """Return the current page's address in *language*."""
    args = {k: v for k, v in request.args.items() if k != "lang"}
    if request.endpoint and request.method == "GET":
        return url_for(request.endpoint, **(request.view_args or {}), **args, lang=language)
    return url_for("tasks.inbox", lang=language)


def _globals() -> dict[str, Any]:
    locale = get_locale()
    language = locale.language if locale else DEFAULT_LANGUAGE
    return {"language": language, "html_lang": "zh-CN" if language == "zh" else "en",
            "other_language": "en" if language == "zh" else "zh", "switch_url": switch_url}


def init_app(app: Flask) -> None:
    """Set up Flask-Babel, the language switch and the formatting filters."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    babel.init_app(app, locale_selector=select_locale)
    app.before_request(RequestDomain(domain=app.extensions["babel"].default_domain).as_default)
    app.before_request(remember_language)
    app.context_processor(_globals)
    app.jinja_env.filters.update(
        money=formatting.money, amount=formatting.amount, date=formatting.date_text, due=formatting.due_text,
        datetime=formatting.datetime_text, stage=labels.stage, status=labels.status, role=labels.role,
        round_name=labels.round_, category=labels.category, org_kind=labels.org_kind,
        org_name=labels.organization_name, form_text=labels.form_text, own_org=labels.own_organization,
        weekday=formatting.weekday, day_origin=formatting.day_origin, clock=formatting.clock_text,
        period=formatting.period_text, instance_title=formatting.instance_title,
    )
    app.jinja_env.globals.update(task_title=labels.task_title)
