"""(e00) gunicorn's own floor: the production server's settings serving a WSGI app with a fixed answer.

The app reads the request's body and answers a fixed JSON object: no Flask, no database, no token,
no log line. Timed with the same client, connection kind and request bytes as (e), it is the least
any completion over HTTP through this server can add to the use case on this machine.

(e01): the same server, and the same answer after (f)'s durable commit (one one-row UPDATE through
the app's ``Database.write`` on the database of ``YIKATONG_DATABASE_URL``) when the request's task
id is ``commit``. Compared with (f) in process and with (e00), it shows what serving a request that
waits on the database costs beyond both, with no application in it. Run by
``bench.run`` as ``python -m bench.gunicorn_floor --port N``; the server is ``web.production``'s,
with the same settings (``gunicorn_options``: gthread, workers, threads, keep-alive, C parser,
heartbeat in memory, JSON logging), only the application differs.
"""
from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

import orjson
from sqlalchemy import text

from bench.serving import HOST, THREADS, WORKERS
from models.db import Database
from web.production import ProductionServer, gunicorn_options

ANSWER = orjson.dumps({"status": "ok"})
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(ANSWER))),
           ("Cache-Control", "no-store")]
COMMIT_PATH = "/api/v1/tasks/commit/complete"
FLOOR_TABLE = "bench_durable_floor"  # bench.floor.DurableCommit's table, created by its runner
COMMIT = text(f"UPDATE {FLOOR_TABLE} SET n = n + 1 WHERE id = 1")


@cache
def _database() -> Database:
    """This worker's connection to the run's database (opened at its first commit)."""
    return Database(os.environ["YIKATONG_DATABASE_URL"])


def durable_commit() -> None:
    """(f)'s transaction: one one-row UPDATE, committed durably."""
    with _database().write() as conn:
        conn.execute(COMMIT)


def fixed_answer(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Read the request's body (and, on COMMIT_PATH, commit (f)'s write); answer 200 with a fixed JSON object."""
    length = environ.get("CONTENT_LENGTH") or "0"
    if length.isdigit() and int(length):
        environ["wsgi.input"].read(int(length))
    if environ.get("PATH_INFO") == COMMIT_PATH:
        durable_commit()
    start_response("200 OK", HEADERS)
    return [ANSWER]


class FloorServer(ProductionServer):
    """The production server with `fixed_answer` in place of the application."""

    def load(self) -> Callable[..., Iterable[bytes]]:
        return fixed_answer


def command(python: str, port: int) -> list[str]:
    """Return the command that serves the fixed answer on loopback *port*."""
    return [python, "-m", "bench.gunicorn_floor", "--port", str(port)]


def main(argv: list[str] | None = None) -> None:
    """Serve the fixed answer with production's settings until stopped."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    FloorServer(gunicorn_options(HOST, args.port, WORKERS, THREADS)).run()


if __name__ == "__main__":
    main()
