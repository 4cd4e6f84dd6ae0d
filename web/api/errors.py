"""Every failure under /api/v1 becomes a JSON error with the matching status, never an HTML page."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, default_exceptions

from services import errors
from services.auth import SignInFailed, TooManyAttempts
from services.bearer import TokenRefused
from web.api.http import ApiError, error_response, is_api_path

BEARER_CHALLENGE = 'Bearer realm="yikatong"'
INVALID_TOKEN_CHALLENGE = f'{BEARER_CHALLENGE}, error="invalid_token"'
TOKEN_REFUSED = "The token is invalid or has expired."
UNEXPECTED = "Something went wrong; the action was not completed."


@dataclass(frozen=True)
class ErrorAnswer:
    """What the API answers for a refused action: status, message, field messages, headers."""

    status: int
    message: str
    fields: dict[str, str] = field(default_factory=dict)
    details: list[dict[str, str]] | None = None  # None: one detail per field message
    headers: dict[str, str] = field(default_factory=dict)


def _invalid(exc: errors.ValidationError) -> ErrorAnswer:
    details = [{"path": f.path, "code": f.code, "message": f.message} for f in exc.fields]
    return ErrorAnswer(422, exc.message, exc.field_messages(), details)


# The use cases' errors, most specific first, and the answer each gets (ServiceError itself: 500).
SERVICE_ANSWERS: tuple[tuple[type[Exception], Callable[[Any], ErrorAnswer]], ...] = (
    (errors.ValidationError, _invalid),
    (errors.PermissionDenied, lambda exc: ErrorAnswer(403, exc.message)),
    (errors.NotFound, lambda exc: ErrorAnswer(404, exc.message)),
    (errors.ConflictError, lambda exc: ErrorAnswer(409, exc.message)),
    (SignInFailed, lambda exc: ErrorAnswer(401, exc.message, headers={"WWW-Authenticate": BEARER_CHALLENGE})),
    (TokenRefused, lambda exc: ErrorAnswer(401, TOKEN_REFUSED, headers={"WWW-Authenticate": INVALID_TOKEN_CHALLENGE})),
    (TooManyAttempts, lambda exc: ErrorAnswer(429, exc.message, headers={"Retry-After": str(exc.retry_after)})),
    (errors.ServiceError, lambda exc: ErrorAnswer(500, exc.message)),
)


def answer_for(exc: errors.ServiceError) -> ErrorAnswer:
    """Return the API's answer to a use case's error."""
    return next(answer(exc) for kind, answer in SERVICE_ANSWERS if isinstance(exc, kind))


def _respond(answer: ErrorAnswer) -> Response:
    return error_response(answer.status, answer.message, answer.fields, answer.details, answer.headers)


def _api_error(exc: ApiError) -> Response:
    return error_response(exc.status, exc.message, exc.fields, headers=exc.headers)


def _service_error(exc: errors.ServiceError) -> Response:
    answer = answer_for(exc)
    if answer.status >= 500:
        current_app.logger.error("use case failed on %s %s: %s", request.method, request.path, exc.message)
    return _respond(answer)


def _http(exc: HTTPException) -> Response:
    headers = {}
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    return error_response(exc.code or 500, exc.description or exc.name, headers=headers)


def _unexpected(exc: Exception) -> Response | HTTPException:
    if isinstance(exc, HTTPException):
        return _http(exc) if (exc.code or 500) >= 400 else exc
    if current_app.testing:
        raise exc
    current_app.logger.exception("unexpected error on %s %s", request.method, request.path)
    return error_response(500, UNEXPECTED)


def install(bp: Blueprint) -> None:
    """Map service errors and HTTP errors raised inside the API's views to JSON errors."""
    bp.register_error_handler(ApiError, _api_error)
    for kind, _answer in SERVICE_ANSWERS:
        bp.register_error_handler(kind, _service_error)
    for code in default_exceptions:
        bp.register_error_handler(code, _http)
    bp.register_error_handler(Exception, _unexpected)


def _unrouted() -> Response | None:
    if not is_api_path(request.path):
        return None
    g.skip_auth = True
    exc = request.routing_exception
    if isinstance(exc, (NotFound, MethodNotAllowed)):
        return _http(exc)
    return None


def install_unrouted(app: Flask) -> None:
    """Answer unknown /api/v1 URLs and methods with JSON, before any page hook sees the request."""
    app.before_request_funcs.setdefault(None, []).insert(0, _unrouted)
