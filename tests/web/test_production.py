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
from pathlib import Path

from services.context import Services
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


def test_gunicorn_serves_health_with_two_workers_and_json_logs(services: Services, tmp_path: Path) -> None:
    env = {"YIKATONG_DATABASE_URL": services.db.url, "YIKATONG_INSTANCE_PATH": str(tmp_path),
           "YIKATONG_SECRET_KEY": "test-secret"}
    assert run(env, "worker", "--once").returncode == 0
    port = _free_port()
    log = (tmp_path / "server.log").open("w+")
    server = subprocess.Popen([str(YIKATONG), "serve", "--production", "--host", "127.0.0.1", "--port", str(port),
                               "--workers", "2", "--threads", "2"], env={**os.environ, **env},
                              stdout=log, stderr=log, start_new_session=True)
    try:
        status, headers, body = _wait_for(f"http://127.0.0.1:{port}/healthz")
        assert status == 200, body
        assert json.loads(body)["status"] == "ok" and headers["X-Request-Id"] == "probe-1"
        assert headers["Server"] == "gunicorn"
        assert _get(f"http://127.0.0.1:{port}/readyz")[0] == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(60)
    log.seek(0)
    lines = [json.loads(line) for line in log.read().splitlines() if line.startswith("{")]
    assert sum(line["message"].startswith("Booting worker") for line in lines) == 2
    assert any(line.get("path") == "/healthz" and line.get("request_id") == "probe-1" and line["status"] == 200
               for line in lines)
