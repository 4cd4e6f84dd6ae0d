"""The API's hottest request, a plain task completion, answered in front of Flask's request machinery.

`POST /api/v1/tasks/<id>/complete` is what bank and bureau systems send most. Through Flask it
passes the session interface, routing, every page hook (language, sign-in, CSRF), the token
look-up and two marshmallow schemas before and after a use case of about a millisecond; those
cost about as much again as the use case (see README, Performance).

`CompletionLane` wraps the application's WSGI callable and answers only the plainest form of that
request: JSON body `{"data": {...}}` within the API's body limit, a bearer token this process
found valid in the last minutes (`services.bearer`: the use case verifies it again in its own
transaction), no `Idempotency-Key`, no cookie, no query string, nothing chunked. Everything else,
any request it is unsure of included, goes to Flask unchanged (the body it read handed on), so
every refusal before the use case (400, 401, 413, 415 …) is Flask's. What the lane answers is what
Flask would: the same body, status and headers (request id, security headers, no-store), the same
one-line request log, the same JSON errors for the use case's refusals (`errors.answer_for`).
"""
from __future__ import annotations

import io
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

import orjson
from flask import Flask
from werkzeug.http import HTTP_STATUS_CODES

from services import bearer
from services.auth import token_digest
from services.errors import ServiceError
from services.idempotency import HEADER as IDEMPOTENCY_HEADER
from services.input_limits import nul_path, too_deep
from services.tasks import complete_task
from web import observability
from web.api.errors import UNEXPECTED, answer_for
from web.api.http import JSON_BODY_LIMIT, error_body
from web.api.schemas import Completion
from web.app import SECURITY_HEADERS

ROUTE = re.compile(r"/api/v1/tasks/([^/\x00]+)/complete")
REFUSING = tuple(f"HTTP_{name.upper().replace('-', '_')}" for name in (
    IDEMPOTENCY_HEADER, "Cookie", "Transfer-Encoding", "Expect"))
COMPLETION = Completion()
Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]


class Plain:
    """A completion the lane may answer: its task, the token's digest and the form values."""

    def __init__(self, task_id: str, digest: str, data: dict[str, Any]) -> None:
        self.task_id, self.digest, self.data = task_id, digest, data


def _digest(environ: Environ) -> str | None:
    scheme, _, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    digest = token_digest(token)
    return digest if bearer.recently_valid(digest) else None


def _shape_ok(environ: Environ) -> bool:
    if environ.get("QUERY_STRING") or any(name in environ for name in REFUSING):
        return False
    if environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower() != "application/json":
        return False
    length = environ.get("CONTENT_LENGTH", "")
    return length.isdigit() and 0 < int(length) <= JSON_BODY_LIMIT


def _form_values(raw: bytes) -> dict[str, Any] | None:
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(value, dict) or value.keys() != {"data"} or not isinstance(value["data"], dict):
        return None
    if too_deep(value) or nul_path(value) is not None:
        return None
    return value["data"]


def plain_completion(environ: Environ) -> Plain | None:
    """Return the completion *environ* asks for if it is plain (see the module); else None.

    The body, if read, is put back for Flask.
    """
    match = ROUTE.fullmatch(environ.get("PATH_INFO", ""))
    if environ.get("REQUEST_METHOD") != "POST" or match is None or not _shape_ok(environ):
        return None
    digest = _digest(environ)
    if digest is None:
        return None
    raw = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
    environ["wsgi.input"] = io.BytesIO(raw)
    data = _form_values(raw)
    return None if data is None else Plain(match.group(1), digest, data)


class CompletionLane:
    """WSGI middleware: plain completions answered here, every other request by *wsgi_app* (Flask)."""

    def __init__(self, app: Flask, wsgi_app: WsgiApp) -> None:
        self.app, self.wsgi_app = app, wsgi_app
        self.ctx = app.extensions["yikatong"]

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        plain = plain_completion(environ)
        if plain is None:
            return self.wsgi_app(environ, start_response)
        request_id = observability.request_id_from(environ.get("HTTP_X_REQUEST_ID"))
        token = observability.REQUEST_ID.set(request_id)
        try:
            caller = bearer.Bearer(plain.digest)
            status, body, headers = self._complete(environ, caller, plain)
            duration = round((time.perf_counter() - started) * 1000, 2)
            observability.log_request(request_id, "POST", environ["PATH_INFO"], status, duration, caller.id)
        finally:
            observability.REQUEST_ID.reset(token)
        return self._answer(start_response, status, body, {**headers, observability.REQUEST_ID_HEADER: request_id})

    def _complete(self, environ: Environ, caller: bearer.Bearer,
                  plain: Plain) -> tuple[int, dict[str, Any], dict[str, str]]:
        try:
            return 200, COMPLETION.dump(complete_task(self.ctx, caller, plain.task_id, plain.data)), {}
        except ServiceError as exc:
            answer = answer_for(exc)
            if answer.status >= 500:
                self.app.logger.error("use case failed on POST %s: %s", environ["PATH_INFO"], exc.message)
            return answer.status, error_body(answer.message, answer.fields, answer.details), answer.headers
        except Exception:
            if self.app.testing:
                raise
            self.app.logger.exception("unexpected error on POST %s", environ["PATH_INFO"])
            return 500, error_body(UNEXPECTED), {}

    def _answer(self, start_response: StartResponse, status: int, body: dict[str, Any],
                headers: dict[str, str]) -> list[bytes]:
        payload = orjson.dumps(body)
        fields = {"Content-Type": "application/json", "Content-Length": str(len(payload)),
                  "Cache-Control": "no-store", **headers}
        for name, value in SECURITY_HEADERS.items():
            fields.setdefault(name, value)
        reason = HTTP_STATUS_CODES[status].upper()  # the status line as werkzeug writes it
        start_response(f"{status} {reason}", list(fields.items()))
        return [payload]
