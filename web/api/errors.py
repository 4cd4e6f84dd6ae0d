"""Every failure under /api/v1 becomes a JSON error with the matching status, never an HTML page."""
from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, g, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, default_exceptions

from services import errors
from services.auth import SignInFailed, TooManyAttempts
from services.bearer import TokenRefused
from web.api.http import ApiError, error_response, is_api_path

BEARER_CHALLENGE = 'Bearer realm="yikatong"'
INVALID_TOKEN_CHALLENGE = f'{BEARER_CHALLENGE}, error="invalid_token"'
TOKEN_REFUSED = "The token is invalid or has expired."


def _api_error(exc: ApiError) -> Response:
    return error_response(exc.status, exc.message, exc.fields, headers=exc.headers)


def _invalid(exc: errors.ValidationError) -> Response:
    details = [{"path": f.path, "code": f.code, "message": f.message} for f in exc.fields]
    return error_response(422, exc.message, exc.field_messages(), details)


def _denied(exc: errors.PermissionDenied) -> Response:
    return error_response(403, exc.message)


def _not_found(exc: errors.NotFound) -> Response:
    return error_response(404, exc.message)


def _conflict(exc: errors.ConflictError) -> Response:
    return error_response(409, exc.message)


def _sign_in_failed(exc: SignInFailed) -> Response:
    return error_response(401, exc.message, headers={"WWW-Authenticate": BEARER_CHALLENGE})


def _token_refused(exc: TokenRefused) -> Response:
    return error_response(401, TOKEN_REFUSED, headers={"WWW-Authenticate": INVALID_TOKEN_CHALLENGE})


def _throttled(exc: TooManyAttempts) -> Response:
    return error_response(429, exc.message, headers={"Retry-After": str(exc.retry_after)})


def _service_failed(exc: errors.ServiceError) -> Response:
    current_app.logger.error("use case failed on %s %s: %s", request.method, request.path, exc.message)
    return error_response(500, exc.message)


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
    return error_response(500, "Something went wrong; the action was not completed.")


def install(bp: Blueprint) -> None:
    """Map service errors and HTTP errors raised inside the API's views to JSON errors."""
    bp.register_error_handler(ApiError, _api_error)
    bp.register_error_handler(errors.ValidationError, _invalid)
    bp.register_error_handler(errors.PermissionDenied, _denied)
    bp.register_error_handler(errors.NotFound, _not_found)
    bp.register_error_handler(errors.ConflictError, _conflict)
    bp.register_error_handler(SignInFailed, _sign_in_failed)
    bp.register_error_handler(TokenRefused, _token_refused)
    bp.register_error_handler(TooManyAttempts, _throttled)
    bp.register_error_handler(errors.ServiceError, _service_failed)
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
