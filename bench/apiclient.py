"""A simulated user of the JSON API (standard library only): it completes the ready tasks of its steps
and records every completion the server acknowledged with a 2xx answer."""
from __future__ import annotations

import http.client
import json
import random
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

from bench.workload import BANKS, PASSWORD, PDF, step_data


class Unreachable(Exception):
    """The server did not answer (it is down or was killed mid-request)."""


@dataclass
class Acknowledged:
    """The completions the server acknowledged, from every client thread."""

    task_ids: list[str] = field(default_factory=list)
    refused: dict[int, int] = field(default_factory=dict)
    examples: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    progress: threading.Event = field(default_factory=threading.Event)

    def add(self, task_id: str) -> None:
        """Record that *task_id*'s completion was acknowledged."""
        with self.lock:
            self.task_ids.append(task_id)
        self.progress.set()

    def wait_for_more(self, timeout: float) -> bool:
        """Wait until a completion is acknowledged from now on; return False if none came within *timeout*."""
        self.progress.clear()
        return self.progress.wait(timeout)

    def refuse(self, status: int, body: Any = None) -> None:
        """Count an answer that was not a success (and keep the first few for the report)."""
        with self.lock:
            self.refused[status] = self.refused.get(status, 0) + 1
            if len(self.examples) < 5 and status != 409:
                self.examples.append({"status": status, "body": body})


def _body(error: urllib.error.HTTPError) -> Any:
    try:
        return json.loads(error.read() or b"null")
    except (OSError, ValueError):
        return None


def remaining_to_pay(detail: Any) -> str | None:
    """Return the default of a payment notice's amount in a task's form (what the contract has left), if any."""
    field = detail.get("form", {}).get("properties", {}).get("notice_amount", {})
    value = field.get("default")
    return value if isinstance(value, str) else None


class ApiUser:
    """One identity's client: sign in once, then list, pick and complete its tasks."""

    def __init__(self, base: str, username: str, steps: tuple[str, ...], acked: Acknowledged, seed: int) -> None:
        self.base, self.username, self.steps, self.acked = base, username, set(steps), acked
        self.random = random.Random(seed)
        self.token: str | None = None
        self.sha: str | None = None

    def _call(self, method: str, path: str, body: bytes | None = None,
              content_type: str = "application/json") -> tuple[int, Any]:
        request = urllib.request.Request(self.base + path, data=body, method=method)
        if body is not None:
            request.add_header("Content-Type", content_type)
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, _body(error)
        except (OSError, ValueError, http.client.HTTPException) as exc:  # refused, reset, timed out, cut short
            raise Unreachable(str(exc)) from exc

    def _json(self, method: str, path: str, value: Any) -> tuple[int, Any]:
        return self._call(method, path, json.dumps(value, ensure_ascii=False).encode())

    def sign_in(self) -> None:
        """Get an API token; wait and leave it unset if sign-in is throttled (an attempt cut short by a kill
        counts as a failed one)."""
        status, body = self._json("POST", "/api/v1/tokens", {"username": self.username, "password": PASSWORD})
        if status == 429:
            self.acked.refuse(status, body)
            time.sleep(1.0)
            return
        if status != 201:
            raise RuntimeError(f"{self.username} could not sign in: {status}")
        self.token = body["token"]

    def upload(self) -> None:
        """Upload the document this user attaches to its forms."""
        boundary = uuid.uuid4().hex
        part = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"report.pdf\"\r\n"
                f"Content-Type: application/pdf\r\n\r\n").encode() + PDF + f"\r\n--{boundary}--\r\n".encode()
        status, body = self._call("POST", "/api/v1/files", part, f"multipart/form-data; boundary={boundary}")
        if status == 201:
            self.sha = body["sha256"]
        else:
            self.acked.refuse(status, body)

    def _answered(self, status: int, body: Any) -> None:
        if 200 <= status < 300 and body and body.get("task_id"):
            self.acked.add(body["task_id"])
        elif status >= 300:
            self.acked.refuse(status, body)

    def declare(self) -> None:
        """Start a project with its declaration (a department's action)."""
        self._answered(*self._json("POST", "/api/v1/projects", {"data": step_data("declare", self.sha or "")}))

    def act_once(self) -> bool:
        """Complete one ready task of this user's steps; return False if there was none."""
        status, body = self._call("GET", "/api/v1/tasks?limit=50")
        if status == 401:
            self.token = None
        if status != 200:
            self.acked.refuse(status)
            return False
        mine = [t for t in body["items"] if t["name"] in self.steps]
        if not mine:
            return False
        task = self.random.choice(mine)
        status, detail = self._call("GET", f"/api/v1/tasks/{task['id']}")
        if status != 200:
            self.acked.refuse(status, detail)
            return False
        if task["name"] == "bank_confirm" and "funds_decision" not in detail.get("form", {}).get("properties", {}):
            return False  # an allocation's count confirmation, not a plan's: no simulated user does it
        data = step_data(task["name"], self.sha or "", self.random.choice(list(BANKS)), remaining_to_pay(detail),
                         task.get("stage"))
        self._answered(*self._json("POST", f"/api/v1/tasks/{task['id']}/complete", {"data": data}))
        return True


def run_user(user: ApiUser, stop: threading.Event, pause: float = 0.02) -> None:
    """Act as *user* until *stop* is set, riding out the server's deaths and restarts."""
    while not stop.is_set():
        try:
            if user.token is None:
                user.sign_in()
                continue
            if user.sha is None:
                user.upload()
                continue
            if not user.act_once() and "declare" in user.steps and user.random.random() < 0.3:
                user.declare()
            time.sleep(pause)
        except Unreachable:
            time.sleep(0.1)
