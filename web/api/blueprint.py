"""The /api/v1 blueprint: bearer-token authentication and the headers every answer carries."""
from __future__ import annotations

from flask import Blueprint, Response, g, request

from services import bearer
from services.auth import actor_for_digest, token_digest
from services.idempotency import HEADER as IDEMPOTENCY_HEADER
from web.api import errors
from web.api.http import JSON_BODY_LIMIT, ApiError
from web.app import services

bp = Blueprint("api", __name__, url_prefix="/api/v1")
PUBLIC_ENDPOINTS = frozenset({"api.create_token", "api.openapi", "api.verify_document"})
UPLOAD_ENDPOINTS = frozenset({"api.upload_file", "api.validate_model", "api.deploy_process_model",
                              "api.verify_document"})
BODY_LIMITS: dict[str, int] = {}  # endpoint → its own body limit, set before anything reads the body
# Views whose use case verifies a recently seen token itself, inside its own transaction (services.bearer).
VERIFIED_IN_ACTION = frozenset({"api.complete"})


def bearer_token() -> str | None:
    """Return the token of an `Authorization: Bearer …` header, if there is one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


@bp.before_request
def authenticate() -> None:
    """Refuse requests without a valid bearer token, except to the public endpoints."""
    g.skip_auth = True
    if request.endpoint in BODY_LIMITS:
        request.max_content_length = BODY_LIMITS[request.endpoint]
    elif request.endpoint not in UPLOAD_ENDPOINTS:
        request.max_content_length = JSON_BODY_LIMIT
    if any("\x00" in str(value) for value in (request.view_args or {}).values()):
        raise ApiError(404, "No such object: a name in the address holds a NUL character.")
    if request.mimetype == "multipart/form-data" and any(
            "\x00" in (part.filename or "") for part in request.files.values()):
        raise ApiError(400, "The request is not as expected.", {"file": "A file name must not contain NUL."})
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    token = bearer_token()
    if token is None:
        raise ApiError(401, "Send a bearer token: POST /api/v1/tokens, then `Authorization: Bearer <token>`.",
                       headers={"WWW-Authenticate": errors.BEARER_CHALLENGE})
    digest = token_digest(token)
    if (request.endpoint in VERIFIED_IN_ACTION and IDEMPOTENCY_HEADER not in request.headers
            and bearer.recently_valid(digest)):
        g.api_actor = bearer.Bearer(digest)
        return
    who = actor_for_digest(services(), digest)
    if who is None:
        raise ApiError(401, errors.TOKEN_REFUSED, headers={"WWW-Authenticate": errors.INVALID_TOKEN_CHALLENGE})
    bearer.remember(digest)
    g.api_actor = who


@bp.after_request
def no_store(response: Response) -> Response:
    """Keep every API answer out of caches."""
    response.headers["Cache-Control"] = "no-store"
    return response


errors.install(bp)
