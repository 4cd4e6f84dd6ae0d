"""Operations: /healthz and /readyz, a request id on every answer, one JSON log line per request."""
from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Any

import orjson
from flask import Flask, Response, g, has_request_context, request

from services.health import health, readiness

REQUEST_LOG = logging.getLogger("yikatong.request")
REQUEST_ID_HEADER = "X-Request-Id"
# A caller's id is kept only if it is short and plain, so that it can never forge or split a log line.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,127}")
REQUEST_FIELDS = ("request_id", "method", "path", "status", "duration_ms", "user_id")
# Loggers kept at WARNING in every process: SpiffWorkflow logs each task's state change at INFO
# (a dozen lines per completion), WeasyPrint each step of every official document it renders
# (about eight), and Alembic each migration step.
QUIET_LOGGERS = {"alembic": "WARNING", "spiff": "WARNING", "weasyprint": "WARNING"}
# The id of a request answered outside Flask's request context (web.api.fastlane), for its log records.
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)


def request_id_from(header: str | None) -> str:
    """Return the caller's request id if it is sane, else a new random one."""
    if header and SANE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class JsonLines(logging.Formatter):
    """Format each record as one JSON object: time, level, logger, message and the request's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage(),
        }
        for name in REQUEST_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


class RequestIdFilter(logging.Filter):
    """Give every record logged while a request is handled that request's id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = g.get("request_id") if has_request_context() else REQUEST_ID.get()
        return True


def configure_logging(level: int = logging.INFO) -> None:
    """Send every log record to stderr as one JSON line (servers and workers call this once)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name, quiet in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(quiet)


def _user_id() -> int | None:
    who = g.get("api_actor") or g.get("actor")
    return getattr(who, "id", None)


def _start() -> None:
    g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
    g.request_started = time.perf_counter()


def log_request(request_id: str, method: str, path: str, status: int, duration: float | None,
                user_id: int | None) -> None:
    """Write the one log line of a request (*duration* in ms)."""
    REQUEST_LOG.info("%s %s %s", method, path, status, extra={
        "request_id": request_id, "method": method, "path": path, "status": status,
        "duration_ms": duration, "user_id": user_id})


def _finish(response: Response) -> Response:
    request_id = g.get("request_id") or request_id_from(request.headers.get(REQUEST_ID_HEADER))
    response.headers[REQUEST_ID_HEADER] = request_id
    started = g.get("request_started")
    duration = round((time.perf_counter() - started) * 1000, 2) if started is not None else None
    log_request(request_id, request.method, request.path, response.status_code, duration, _user_id())
    return response


def _report(result: dict[str, Any]) -> Response:
    from flask import jsonify

    response = jsonify(status="ok" if result["ok"] else "failing", checks=result["checks"])
    response.status_code = 200 if result["ok"] else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def install(app: Flask) -> None:
    """Add the request id, the request log and the health endpoints to *app*."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)
    ctx = app.extensions["yikatong"]

    @app.get("/healthz")
    def healthz() -> Response:
        """Answer 200 if the database answers, its schema is at head and the worker ran lately; else 503."""
        g.skip_auth = True
        return _report(health(ctx))

    @app.get("/readyz")
    def readyz() -> Response:
        """Answer 200 if this process can serve requests (database reachable, schema at head); else 503."""
        g.skip_auth = True
        return _report(readiness(ctx))
