"""Request parsing and JSON replies shared by every /api/v1 endpoint."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from flask import Response, current_app, g, request
from marshmallow import Schema
from marshmallow import ValidationError as SchemaError

from services.bearer import Bearer
from services.input_limits import NUL_MESSAGE, deep_message, nul_path, too_deep
from services.users import Actor

PREFIX = "/api/v1"
JSON_BODY_LIMIT = 1024 * 1024
_CODES = {"Unknown field.": "unknown", "Missing data for required field.": "required"}


class ApiError(Exception):
    """A request the API refuses before any use case runs (400, 401, 413, 415 …)."""

    def __init__(self, status: int, message: str, fields: Mapping[str, str] | None = None,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message = status, message
        self.fields = dict(fields or {})
        self.headers = dict(headers or {})


def is_api_path(path: str) -> bool:
    """Return True if *path* belongs to the JSON API."""
    return path == PREFIX or path.startswith(PREFIX + "/")


def actor() -> Actor:
    """Return the user the bearer token of this request belongs to."""
    who = g.api_actor
    if isinstance(who, Bearer):
        if who.actor is None:
            raise RuntimeError("this request's token is verified by its use case: pass caller() to it")
        return who.actor
    return who


def caller() -> Actor | Bearer:
    """Return the user of this request, or its token for the use case to verify (see services.bearer)."""
    return g.api_actor


def json_response(payload: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """Return *payload* as a UTF-8 JSON response that no cache keeps."""
    response = current_app.response_class(orjson.dumps(payload), status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def reply(schema: Schema, obj: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """Return *obj* serialised by *schema*."""
    return json_response(schema.dump(obj), status, headers)


def error_body(message: str, fields: Mapping[str, str] | None = None,
               details: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """Return the API's error body: a message, one message per field, and coded details."""
    fields = dict(fields or {})
    if details is None:
        details = [{"path": path, "code": _CODES.get(text, "invalid"), "message": text}
                   for path, text in fields.items()]
    return {"message": message, "errors": fields, "details": details}


def error_response(status: int, message: str, fields: Mapping[str, str] | None = None,
                   details: list[dict[str, str]] | None = None,
                   headers: Mapping[str, str] | None = None) -> Response:
    """Return the API's error body (see error_body) as a response."""
    return json_response(error_body(message, fields, details), status, headers)


def flatten(messages: Any, prefix: str = "") -> dict[str, str]:
    """Return marshmallow's nested error messages as {dotted.path: first message}."""
    if isinstance(messages, Mapping):
        flat: dict[str, str] = {}
        for key, value in messages.items():
            name = "" if key == "_schema" else str(key)
            flat.update(flatten(value, f"{prefix}.{name}" if prefix and name else prefix or name))
        return flat
    if isinstance(messages, list) and messages:
        return flatten(messages[0], prefix) if not isinstance(messages[0], str) else {prefix: messages[0]}
    return {prefix: str(messages)}


def _load(schema: Schema, value: Mapping[str, Any], what: str) -> dict[str, Any]:
    try:
        return schema.load(value)
    except SchemaError as exc:
        raise ApiError(400, f"The {what} is not as expected.", flatten(exc.messages)) from exc


def json_body(schema: Schema, *, empty_ok: bool = False) -> dict[str, Any]:
    """Return the request's JSON object loaded by *schema*; raise ApiError if it is malformed."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if empty_ok:
            return _load(schema, {}, "request body")
        raise ApiError(400, "The request body must be a JSON object.")
    if not request.is_json:
        raise ApiError(415, "Send the request body as application/json.")
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ApiError(400, f"The request body is not valid JSON: {exc}.") from exc
    if not isinstance(value, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    if too_deep(value):
        raise ApiError(400, deep_message("The request body"))
    _refuse_nul(value, "request body")
    return _load(schema, value, "request body")


def _refuse_nul(value: Any, what: str) -> None:
    path = nul_path(value)
    if path is not None:
        raise ApiError(422, f"The {what} holds text that cannot be stored.", {path: NUL_MESSAGE})


def query_args(schema: Schema) -> dict[str, Any]:
    """Return the query string loaded by *schema* (empty parameters count as absent)."""
    args = {k: v for k, v in request.args.items() if v != ""}
    _refuse_nul(args, "query string")
    return _load(schema, args, "query string")
