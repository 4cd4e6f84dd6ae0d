"""Error pages: every refusal is a page a person understands, with the matching status."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, default_exceptions

from services.errors import ConflictError, NotFound, PermissionDenied, ServiceError, ValidationError
from web.api.http import error_response
from web.pages.messages import translated_detail

LOG = logging.getLogger(__name__)
PAGES: dict[int, tuple[Any, Any]] = {
    400: (_l("The request could not be understood"), _l("Go back, reload the page and try again.")),
    401: (_l("Please sign in"), _l("Sign in to continue.")),
    403: (_l("Not permitted"), _l("Your roles do not allow this action.")),
    404: (_l("Not found"), _l("This page does not exist, or it is not visible to you.")),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    409: (_l("Already handled"), _l("Someone has already completed this step, or you submitted it twice. "
                                    "Nothing more needs to be done here.")),
    413: (_l("The upload is too large"), _l("A file may have at most 20 MiB.")),
    422: (_l("The input was not accepted"), _l("Please correct it and try again.")),
    429: (_l("Too many attempts"), _l("Please wait a while and try again.")),
    500: (_l("Something went wrong"), _l("The action could not be completed. Nothing was changed.")),
}
CSRF_PAGE = (_l("This form has expired"),
             _l("The page was open too long or came from elsewhere. Go back, reload the page and submit again."))


def api_error(status: int, detail: str = "") -> Response:
    """Return the API's documented Error body for a failure no /api/v1 view handled (e.g. /api/v2/…)."""
    known = default_exceptions.get(status)
    return error_response(status, detail or (known.description if known else "") or
                          "Something went wrong; the action was not completed.")


def error_page(status: int, detail: str = "", title: Any = None, text: Any = None) -> tuple[Any, int]:
    """Return the error page for *status* (the API's JSON Error for API addresses)."""
    default_title, default_text = PAGES.get(status, PAGES[500])
    if request.path.startswith("/api/"):
        return api_error(status, detail), status
    page = render_template("errors/error.html", status=status, title=title or default_title,
                           text=text or default_text, detail=detail)
    return page, status


def _service_error(exc: ServiceError) -> tuple[Any, int]:
    status = 500
    if isinstance(exc, NotFound):
        return error_page(404)
    if isinstance(exc, PermissionDenied):
        status = 403
    elif isinstance(exc, ConflictError):
        status = 409
    elif isinstance(exc, ValidationError):
        status = 422
    else:
        LOG.warning("service error on %s: %s", request.path, exc)
    return error_page(status, translated_detail(exc.message))


def _http_error(exc: HTTPException) -> Any:
    if exc.code is None or exc.code < 400:
        return exc
    return error_page(exc.code)


def _csrf_error(_exc: CSRFError) -> tuple[Any, int]:
    title, text = CSRF_PAGE
    return error_page(400, title=title, text=text)


def _unexpected(exc: Exception) -> Any:
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    LOG.exception("unexpected error on %s", request.path)
    return error_page(500)


def init_app(app: Flask) -> None:
    """Register the error pages."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(ServiceError, _service_error)
    app.register_error_handler(HTTPException, _http_error)
    if not app.testing:
        app.register_error_handler(Exception, _unexpected)
