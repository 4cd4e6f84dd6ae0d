"""POST /api/v1/tokens: exchange a user name and password for a bearer token."""
from __future__ import annotations

from flask import Response, request

from services.auth import create_api_token, revoke_api_token
from web.api.blueprint import bearer_token, bp
from web.api.http import json_body, reply
from web.app import services
from web.api.schemas import Token, TokenRequest

TOKEN_REQUEST, TOKEN = TokenRequest(), Token()


@bp.post("/tokens")
def create_token() -> Response:
    """Check the password (failures are throttled) and answer a new bearer token."""
    body = json_body(TOKEN_REQUEST)
    token = create_api_token(services(), body["username"], body["password"], request.remote_addr or "unknown")
    return reply(TOKEN, token, 201)


@bp.delete("/tokens/current")
def revoke_token() -> Response:
    """Revoke the bearer token this request was made with (sign an integration out)."""
    revoke_api_token(services(), bearer_token())
    return Response(status=204)
