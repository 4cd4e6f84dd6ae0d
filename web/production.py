"""Production serving: the application under gunicorn, several worker processes with threads each.

The timer worker is not started here: run `yikatong worker` as its own process (on PostgreSQL
several may run). Each gunicorn worker builds its own application and connection pool after
the fork. Each renders and seals official documents in a child process of its own, at a lower CPU
priority (`services.official.rendering`), and produces each document once there before it takes
requests (the first one would otherwise cost seconds inside a step). Every log line, gunicorn's own
included, is one JSON object on stderr.

Two settings matter for the time of each request: HTTP is parsed by gunicorn's C parser
(`gunicorn_h1c`, picked automatically when installed), and each worker's heartbeat file, touched
on every pass of its loop, lives in memory (/dev/shm) rather than on the disk's temp folder.
"""
from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from services.official.issue import warm_up
from services.official.rendering import use_child_renderer
from web.app import create_app
from web.observability import QUIET_LOGGERS

DEFAULT_THREADS = 4
JSON_LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "web.observability.JsonLines"}},
    "filters": {"request_id": {"()": "web.observability.RequestIdFilter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"],
                            "stream": "ext://sys.stderr"}},
    "root": {"level": "INFO", "handlers": ["stderr"]},
    "loggers": {"gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
                "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
                **{name: {"level": quiet} for name, quiet in QUIET_LOGGERS.items()}},
}


class RequestLoggedByApp(Logger):  # type: ignore[misc]
    """gunicorn's logger without its access log: the application logs each request itself, as JSON.

    With a logging configuration in place, gunicorn would otherwise build the access log's fields
    for every request only to drop them (its access logger has no handler).
    """

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        return None


def default_workers() -> int:
    """Return the number of worker processes for this machine: one per core, plus one."""
    return (os.cpu_count() or 1) + 1


def heartbeat_dir() -> str | None:
    """Return /dev/shm if it is a writable folder in memory here, else None (gunicorn's temp folder)."""
    folder = "/dev/shm"
    return folder if os.path.isdir(folder) and os.access(folder, os.W_OK) else None


def gunicorn_options(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    """Return gunicorn's settings for *workers* processes of *threads* threads on *host*:*port*."""
    return {
        "bind": f"{host}:{port}", "workers": workers, "threads": threads, "worker_class": "gthread",
        "timeout": 60, "graceful_timeout": 30, "keepalive": 5, "max_requests": 10_000,
        "max_requests_jitter": 1_000, "accesslog": None, "logconfig_dict": JSON_LOGGING,
        "logger_class": f"{__name__}.RequestLoggedByApp",
        "proc_name": "yikatong", "control_socket_disable": True,  # no shared ~/.gunicorn socket
        "worker_tmp_dir": heartbeat_dir(),
    }


class ProductionServer(BaseApplication):  # type: ignore[misc]
    """gunicorn with the given settings, loading a new application in each worker."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.options.items():
            if name in self.cfg.settings:  # settings newer than the installed gunicorn are left out
                self.cfg.set(name, value)

    def load(self) -> Flask:
        app = create_app()
        use_child_renderer(app.extensions["yikatong"])
        warm_documents(app)
        return app


def warm_documents(app: Flask) -> None:
    """Produce each official document once in this worker before it takes requests (see `warm_up`).

    A failure here is logged and the worker serves anyway: the step that issues a document reports
    its own error.
    """
    log = logging.getLogger("yikatong.server")
    try:
        seconds = warm_up(app.extensions["yikatong"])
    except Exception:  # noqa: BLE001 - never keep a worker from serving
        log.warning("Official documents could not be produced at start", exc_info=True)
    else:
        log.info("Official documents warmed up in %.2f s", seconds)


def run(host: str, port: int, workers: int, threads: int) -> None:
    """Serve under gunicorn until stopped (SIGTERM: finish the requests in flight, then exit)."""
    ProductionServer(gunicorn_options(host, port, workers, threads)).run()
