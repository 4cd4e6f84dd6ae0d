"""`yikatong serve --production`: gunicorn with several workers answers /healthz beside its own timer worker."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench.engine_paths import step_data
from bench.scratch import deploy_linear
from models.tables import human_task
from services.context import Services
from services.demo import DEMO_PASSWORD
from services.instances import start_instance
from services.users import load_actor
from tests.web.test_cli_errors import YIKATONG, run


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"X-Request-Id": "probe-1"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _wait_for(url: str, seconds: float = 90) -> tuple[int, dict[str, str], bytes]:
    deadline = time.monotonic() + seconds
    while True:
        try:
            return _get(url)
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


@contextmanager
def _production(services: Services, tmp_path: Path) -> Iterator[tuple[int, list[dict[str, Any]], int]]:
    """Serve *services*' database under gunicorn (2 workers x 2 threads): its port, its log lines (after
    the block) and its process id."""
    env = {"YIKATONG_DATABASE_URL": services.db.url, "YIKATONG_INSTANCE_PATH": str(tmp_path),
           "YIKATONG_SECRET_KEY": "test-secret"}
    assert run(env, "worker", "--once").returncode == 0
    port = _free_port()
    log = (tmp_path / "server.log").open("w+")
    server = subprocess.Popen([str(YIKATONG), "serve", "--production", "--host", "127.0.0.1", "--port", str(port),
                               "--workers", "2", "--threads", "2"], env={**os.environ, **env},
                              stdout=log, stderr=log, start_new_session=True)
    lines: list[dict[str, Any]] = []
    try:
        status, _, body = _wait_for(f"http://127.0.0.1:{port}/healthz")
        assert status == 200, body
        yield port, lines, server.pid
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(60)
        log.seek(0)
        lines += [json.loads(line) for line in log.read().splitlines() if line.startswith("{")]


def _children(pid: int) -> list[int]:
    """Return the process ids whose parent is *pid*."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_gunicorn_serves_health_with_two_workers_and_json_logs(services: Services, tmp_path: Path) -> None:
    with _production(services, tmp_path) as (port, lines, pid):
        status, headers, body = _get(f"http://127.0.0.1:{port}/healthz")
        assert status == 200, body
        assert json.loads(body)["status"] == "ok" and headers["X-Request-Id"] == "probe-1"
        assert headers["Server"] == "gunicorn"
        assert _get(f"http://127.0.0.1:{port}/readyz")[0] == 200
        workers = _children(pid)
        assert len(workers) == 2
        renderers = [child for worker in workers for child in _children(worker)
                     if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()]
        assert len(renderers) == 2  # one document renderer per worker, below the workers' priority
        assert all(os.getpriority(os.PRIO_PROCESS, pid) > os.getpriority(os.PRIO_PROCESS, workers[0])
                   for pid in renderers)
    assert sum(line["message"].startswith("Booting worker") for line in lines) == 2
    # each worker produced every official document once before its first request, not inside a step
    assert sum(line["message"].startswith("Official documents warmed up in") for line in lines) == 2
    assert not [line for line in lines if line["logger"].startswith("weasyprint")]  # its steps, at INFO
    assert any(line.get("path") == "/healthz" and line.get("request_id") == "probe-1" and line["status"] == 200
               for line in lines)


def _post(port: int, path: str, body: dict[str, Any] | None, headers: dict[str, str],
          method: str = "POST") -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def test_completions_under_gunicorn_log_one_line_each_and_a_revoked_token_stops_at_once(
        services: Services, tmp_path: Path) -> None:
    deploy_linear(services)
    ready = start_instance(services, load_actor(services, "hrss_clerk"), "bench_linear")["ready"]
    with _production(services, tmp_path) as (port, lines, pid):
        status, answer = _post(port, "/api/v1/tokens", {"username": "hrss_clerk", "password": DEMO_PASSWORD}, {})
        assert status == 201, answer
        auth = {"Authorization": f"Bearer {answer['token']}"}
        for step in (1, 2, 3):  # the same token again and again: later ones are verified inside the completion
            status, answer = _post(port, f"/api/v1/tasks/{ready[0]['id']}/complete", {"data": step_data(step)},
                                   {**auth, "X-Request-Id": f"complete-{step}"})
            assert status == 200, answer
            ready = answer["ready"]
        assert _post(port, "/api/v1/tokens/current", None, auth, method="DELETE")[0] == 204
        for _ in range(2):  # whichever worker answers, the revoked token completes nothing
            status, answer = _post(port, f"/api/v1/tasks/{ready[0]['id']}/complete", {"data": step_data(4)}, auth)
            assert status == 401 and answer["message"] == "The token is invalid or has expired."
    for step in (1, 2, 3):
        (line,) = [line for line in lines if line.get("request_id") == f"complete-{step}"]
        assert line["logger"] == "yikatong.request" and line["status"] == 200 and line["user_id"] is not None
    assert not [line for line in lines if line["logger"].startswith("spiff")]
    with services.db.read() as conn:
        assert conn.execute(select(human_task.c.status).where(human_task.c.id == ready[0]["id"])).scalar_one() \
            == "ready"
