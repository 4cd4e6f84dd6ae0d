"""(e00) gunicorn's own floor: the production server's settings serving a WSGI app with a fixed answer.

The app reads the request's body and answers a fixed JSON object: no Flask, no database, no token,
no log line. Timed with the same client, connection kind and request bytes as (e), it is the least
any completion over HTTP through this server can add to the use case on this machine. Run by
``bench.run`` as ``python -m bench.gunicorn_floor --port N``; the server is ``web.production``'s,
with the same settings (``gunicorn_options``: gthread, workers, threads, keep-alive, C parser,
heartbeat in memory, JSON logging), only the application differs.
"""
from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from typing import Any

import orjson

from bench.serving import HOST, THREADS, WORKERS
from web.production import ProductionServer, gunicorn_options

ANSWER = orjson.dumps({"status": "ok"})
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(ANSWER))),
           ("Cache-Control", "no-store")]


def fixed_answer(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Read the request's body, answer 200 with a fixed JSON object."""
    length = environ.get("CONTENT_LENGTH") or "0"
    if length.isdigit() and int(length):
        environ["wsgi.input"].read(int(length))
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
