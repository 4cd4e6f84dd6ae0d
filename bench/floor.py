"""The durable floor's commit, and completion over real HTTP through the production server.

- ``DurableCommit``: the least a durable write costs on the use case's own database, through the
  application's own ``Database.write()`` (SQLite: WAL, ``BEGIN IMMEDIATE``, the default
  ``synchronous`` that the app keeps; PostgreSQL: a pooled psycopg connection like the app's): one
  one-row UPDATE and its COMMIT. A transaction that writes nothing is not a durable commit (neither
  database flushes its log for it), so one row is written. Floor *b* plus this is the durable floor.
- ``ProductionHttp``: ``yikatong serve --production`` (gunicorn, gthread) on loopback against the
  same database, a lean keep-alive HTTP/1.1 client (``bench.wire``), ``POST /api/v1/tasks/<id>/complete``
  with a bearer token for each task of the linear diagram.
- ``ProductionFlask``: the same completions with a query string, which sends them through Flask's
  request handling instead of the completion lane in front of it (``web.api.fastlane``): what the
  lane saves, in the same run.
- ``ProductionEmpty``: ``GET /health`` on that same server and connection: the least any request
  to the application costs (gunicorn, Flask, the app's request hooks, the loopback and the client),
  with no token, no database and no use case. The use case plus this is what HTTP could at best
  cost on this stack.
- ``GunicornFloor``: the same gunicorn settings serving a fixed answer (``bench.gunicorn_floor``),
  sent the same request bytes as ``ProductionHttp`` by the same client: what the server, the
  loopback and the client cost with no application at all.
- ``GunicornCommit``: that server committing ``DurableCommit``'s transaction on the run's database
  before its fixed answer: a request that waits on the database, still with no application.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from time import perf_counter_ns
from typing import Any

from sqlalchemy import text

from bench import gunicorn_floor, serving
from bench.engine_paths import STEPS, step_data
from bench.wire import Wire
from services.context import Services
from services.demo import DEMO_PASSWORD
from services.instances import start_instance
from services.users import load_actor

FLOOR_TABLE = gunicorn_floor.FLOOR_TABLE
IDLE_RECONNECT_SECONDS = 3.0  # gunicorn closes a keep-alive connection idle for 5 s


class DurableCommit:
    """One one-row write transaction per step, on the application's own connections."""

    def __init__(self, name: str, ctx: Services) -> None:
        self.name, self.ctx = name, ctx
        with ctx.db.write() as conn:
            conn.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS {FLOOR_TABLE} (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
            conn.exec_driver_sql(f"INSERT INTO {FLOOR_TABLE} (id, n) VALUES (1, 0)")
        self.statement = text(f"UPDATE {FLOOR_TABLE} SET n = n + 1 WHERE id = 1")

    def run_once(self, counter: Any = None, keep: bool = True) -> list[int]:
        """Commit STEPS one-row transactions; return the time of each (checkout to commit)."""
        samples = []
        for _ in range(STEPS):
            started = perf_counter_ns()
            with self.ctx.db.write() as conn:
                conn.execute(self.statement)
            samples.append(perf_counter_ns() - started)
        return samples


class ProductionHttp:
    """(e) Complete tasks over loopback HTTP against gunicorn serving the use case's database."""

    def __init__(self, name: str, ctx: Services, folder: Path) -> None:
        self.name, self.ctx = name, ctx
        self.actor = load_actor(ctx, "hrss_clerk")
        folder.mkdir(parents=True, exist_ok=True)
        self.port = serving.free_port()
        command = serving.production_command(self.port)
        self.server: subprocess.Popen[bytes] | None = serving.spawn(command, ctx.db.url, folder, folder / "server.log")
        serving.wait_ready(self.port, self.server)
        self.conn = Wire(serving.HOST, self.port)
        self.used = time.monotonic()
        status, answer = self._post("/api/v1/tokens", {"username": "hrss_clerk", "password": DEMO_PASSWORD}, {})
        assert status == 201, answer
        self.headers = {"Authorization": f"Bearer {answer['token']}"}

    def _fresh(self) -> None:
        """Reconnect (untimed) if the server may have closed the idle keep-alive connection."""
        if time.monotonic() - self.used > IDLE_RECONNECT_SECONDS:
            self.conn.reconnect()

    def _post(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, Any]:
        status, answer = self.conn.post_json(path, body, headers)
        self.used = time.monotonic()
        return status, answer

    def run_once(self, counter: Any = None, keep: bool = True, query: str = "") -> list[int]:
        """Start a linear instance (untimed), then time each completion request over HTTP."""
        ready = start_instance(self.ctx, self.actor, "bench_linear")["ready"]
        samples = []
        for step in range(1, STEPS + 1):
            self._fresh()
            started = perf_counter_ns()
            status, answer = self._post(f"/api/v1/tasks/{ready[0]['id']}/complete{query}",
                                        {"data": step_data(step)}, self.headers)
            samples.append(perf_counter_ns() - started)
            assert status == 200, answer
            ready = answer["ready"]
        return samples

    def empty(self) -> int:
        """Time one GET /health on the same connection."""
        self._fresh()
        started = perf_counter_ns()
        status, answer = self.conn.get_json("/health")
        taken = perf_counter_ns() - started
        self.used = time.monotonic()
        assert status == 200, answer
        return taken

    def close(self) -> None:
        """Close the client and stop the server."""
        self.conn.close()
        serving.stop(self.server)
        self.server = None


class ProductionFlask:
    """(e') The completions of a ProductionHttp sent through Flask: a query string keeps them out of the lane."""

    def __init__(self, name: str, server: ProductionHttp) -> None:
        self.name, self.server = name, server

    def run_once(self, counter: Any = None, keep: bool = True) -> list[int]:
        """Time the completions of one linear instance through Flask."""
        return self.server.run_once(counter, keep, query="?via=flask")


class ProductionEmpty:
    """(e0) The application's least request, GET /health, through the server of a ProductionHttp."""

    def __init__(self, name: str, server: ProductionHttp) -> None:
        self.name, self.server = name, server

    def run_once(self, counter: Any = None, keep: bool = True) -> list[int]:
        """Time STEPS empty requests."""
        return [self.server.empty() for _ in range(STEPS)]


class GunicornFloor:
    """(e00) A completion's request to gunicorn serving a fixed answer: the server's own floor."""

    path = "/api/v1/tasks/0/complete"

    def __init__(self, name: str, url: str, folder: Path) -> None:
        self.name = name
        folder.mkdir(parents=True, exist_ok=True)
        self.port = serving.free_port()
        command = gunicorn_floor.command(sys.executable, self.port)
        self.server: subprocess.Popen[bytes] | None = serving.spawn(command, url, folder, folder / "floor.log")
        serving.wait_ready(self.port, self.server)
        self.conn = Wire(serving.HOST, self.port)
        self.used = time.monotonic()
        self.headers = {"Authorization": f"Bearer {'0' * 43}"}  # a token's length; never checked

    def run_once(self, counter: Any = None, keep: bool = True) -> list[int]:
        """Time STEPS requests shaped like (e)'s completions."""
        samples = []
        for step in range(1, STEPS + 1):
            if time.monotonic() - self.used > IDLE_RECONNECT_SECONDS:
                self.conn.reconnect()
            started = perf_counter_ns()
            status, answer = self.conn.post_json(self.path, {"data": step_data(step)}, self.headers)
            samples.append(perf_counter_ns() - started)
            self.used = time.monotonic()
            assert status == 200, answer
        return samples

    def close(self) -> None:
        """Close the client and stop the server."""
        self.conn.close()
        serving.stop(self.server)
        self.server = None


class GunicornCommit(GunicornFloor):
    """(e01) The same server committing (f)'s one-row transaction on *url*'s database before its answer.

    *url*'s database must hold DurableCommit's table (create that runner first).
    """

    path = gunicorn_floor.COMMIT_PATH
