"""Signing in and out; every other page needs a live session."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from services.auth import SignInFailed, TooManyAttempts, actor_for_session, end_session, sign_in
from services.users import Actor
from web.app import services as ctx
from web.pages.messages import translate

bp = Blueprint("auth", __name__)
PUBLIC_ENDPOINTS = frozenset({"auth.login", "static", "health", "healthz", "readyz", "documents.verify",
                              "documents.verify_upload"})
KEPT_ACROSS_SIGN_IN = ("lang",)


def actor() -> Actor:
    """Return the signed-in user of this request."""
    return g.actor


def _is_api() -> bool:
    return request.path.startswith("/api/") or (request.blueprint or "").startswith("api")


def require_sign_in() -> Response | None:
    """Load the signed-in user; send anyone else to the sign-in page (API calls authenticate themselves)."""
    g.actor = None
    if _is_api() or request.endpoint in ("static", "health", "healthz", "readyz"):
        return None
    token = session.get("token")
    if token:
        g.actor = actor_for_session(ctx(), token)
        if g.actor is None:
            session.pop("token", None)
    if g.actor is None and request.endpoint and request.endpoint not in PUBLIC_ENDPOINTS:
        wanted = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("auth.login", next=wanted))
    return None


def _fresh_session(token: str | None) -> None:
    kept = {k: session[k] for k in KEPT_ACROSS_SIGN_IN if k in session}
    session.clear()
    session.update(kept)
    if token:
        session["token"] = token


def _safe_next(target: str | None) -> str:
    """Return *target* if it is a path of this site, else the home page."""
    if (target and target.startswith("/") and not target.startswith("//") and "\\" not in target
            and all(" " < ch for ch in target)):
        return target
    return url_for("tasks.inbox")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Show the sign-in form; sign in with a user name and password."""
    if request.method == "GET":
        if g.actor is not None:
            return redirect(url_for("tasks.inbox"))
        return render_template("auth/login.html", next=request.args.get("next", ""))
    username = request.form.get("username", "").strip()
    try:
        _signed_in, token = sign_in(ctx(), username, request.form.get("password", ""),
                                    request.remote_addr or "")
    except TooManyAttempts as exc:
        return _refused(username, translate(exc.message), 429, {"Retry-After": str(exc.retry_after)})
    except SignInFailed as exc:
        return _refused(username, translate(exc.message), 401)
    _fresh_session(token)
    return redirect(_safe_next(request.form.get("next")))


def _refused(username: str, message: str, status: int,
             headers: dict[str, str] | None = None) -> tuple[str, int, dict[str, str]]:
    page = render_template("auth/login.html", error=message, username=username,
                           next=request.form.get("next", ""))
    return page, status, headers or {}


@bp.post("/logout")
def logout() -> Response:
    """End the session for good."""
    end_session(ctx(), session.get("token"))
    _fresh_session(None)
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))
