"""Run the server and the timer worker as processes of their own, as production does, on loopback only.

`server_command` is the one place that says how the application is served: production serving
(gunicorn, `yikatong serve --production`) with the README's guidance for 2 cores, 3 worker
processes of 4 threads each; the load and crash tests follow it.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HOST = "127.0.0.1"
YIKATONG = Path(sys.executable).with_name("yikatong")
READY_TIMEOUT_SECONDS = 60.0
WORKERS, THREADS = 3, 4  # README: on 2 cores, 3 workers x 4 threads and 1 timer worker


def production_command(port: int, workers: int = WORKERS, threads: int = THREADS) -> list[str]:
    """Return the command that serves the application under gunicorn on loopback *port*."""
    return [str(YIKATONG), "serve", "--production", "--workers", str(workers), "--threads", str(threads),
            "--host", HOST, "--port", str(port)]


def server_command(port: int) -> list[str]:
    """Return the command that serves the application on loopback *port* (production serving)."""
    return production_command(port)


def worker_command(interval: float) -> list[str]:
    """Return the command of the timer worker, passing every *interval* seconds."""
    return [str(YIKATONG), "worker", "--interval", str(interval)]


KEPT = frozenset({"YIKATONG_DOCUMENT_RENDERER"})


def free_port() -> int:
    """Return a loopback port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def environment(url: str, folder: Path) -> dict[str, str]:
    """Return the environment of the processes: this database and instance folder, and of our own settings
    only the document renderer's (YIKATONG_DOCUMENT_RENDERER=inline compares rendering in the server)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("YIKATONG_") or k in KEPT}
    env.update(YIKATONG_DATABASE_URL=url, YIKATONG_INSTANCE_PATH=str(folder), PYTHONUNBUFFERED="1")
    return env


def spawn(command: list[str], url: str, folder: Path, log: Path) -> subprocess.Popen[bytes]:
    """Start *command* in its own process group with its output appended to *log*."""
    with log.open("ab") as out:
        return subprocess.Popen(command, env=environment(url, folder), stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float = READY_TIMEOUT_SECONDS) -> float:
    """Wait until the server answers its sign-in page; return the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before it answered")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/login", timeout=2) as answer:
                if answer.status == 200:
                    return time.monotonic() - started
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"the server did not answer within {timeout:.0f} s")


def stop(process: subprocess.Popen[bytes] | None, signal_number: int = 15) -> None:
    """Send *signal_number* to the process group of *process* and wait for it."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal_number)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.wait()


def exit_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so that a run stopped that way still stops its processes and cleans up."""
    def _exit(_signum: int, _frame: object) -> None:
        raise SystemExit(143)
    signal.signal(signal.SIGTERM, _exit)
