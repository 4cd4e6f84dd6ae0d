"""Locust users of every role: sign in (page and API token), list tasks, open task and project pages,
complete tasks with valid data, declare projects, upload files, open the dashboard.

Each simulated user takes the next demo identity in turn and signs in on the page; users sharing an
identity share one API token and split its tasks between them by task id, so that two of them
rarely race for the same task (one that loses a race gets 409 "already been handled", counted as a
lost race: the right answer, not a failure). A GET whose kept-alive connection the server closed at
that very moment is resent once, as browsers do; POSTs never are.

The statistics restart once every user has finished signing in (its on_start returned): sign-in
hashes the password on purpose slowly, so the ramp's CPU would inflate the first seconds of the
measured window. Sign-in times go to $YIKATONG_LOAD_SIGN_INS; the ramp's and the window's length,
the requests made during the ramp and every failed request of the whole run (ramp included, which
the restart would otherwise forget) go to $YIKATONG_LOAD_PHASES; each completion of the window
(task id, ms) to $YIKATONG_LOAD_COMPLETIONS. Every completion
the server acknowledges (2xx) is appended to the file named by $YIKATONG_LOAD_ACKS ("ack ID"), after
a line "sent ID" before the request and followed by "refused ID" for any other answer; a declaration
(whose task id only its answer tells) is framed by "declaring USER" and "declared USER".
"""
from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
import zlib
from collections import Counter
from typing import Any

from locust import HttpUser, between, events, task
from locust.env import Environment
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from bench.apiclient import remaining_to_pay
from bench.workload import BANKS, IDENTITIES, PASSWORD, PDF, step_data

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_numbers = itertools.count()
USERS = int(os.environ.get("YIKATONG_LOAD_USERS", "1"))
ACKS = open(os.environ.get("YIKATONG_LOAD_ACKS", os.devnull), "a", buffering=1)  # noqa: SIM115 (whole run)


TOKENS: dict[str, str] = {}  # one API token per identity, shared by the users taking it
SIGN_INS: dict[str, list[float]] = {}  # sign-in times (ms), kept apart: the statistics restart after the ramp
PHASES: dict[str, Any] = {"started": None, "signed_in": 0, "window_started": None, "ramp_requests": 0}
FAILURES: Counter[tuple[str, str, str, str]] = Counter()  # (phase, method, action, error), whole run
COMPLETE = "api: complete task"
COMPLETIONS: list[tuple[str, float]] = []  # (task id, ms) of the window's answered completions


@events.test_start.add_listener
def _started(**_kwargs: Any) -> None:
    PHASES["started"] = time.monotonic()


@events.request.add_listener
def _on_request(request_type: str, name: str, response_time: float, exception: Exception | None,
               url: str = "", **_kwargs: Any) -> None:
    if exception is not None:
        phase = "window" if PHASES["window_started"] is not None else "ramp"
        FAILURES[(phase, request_type, name, str(exception)[:300])] += 1
    elif name.startswith("sign in"):
        SIGN_INS.setdefault(name, []).append(response_time)
    elif name == COMPLETE and PHASES["window_started"] is not None:
        COMPLETIONS.append((url.rstrip("/").split("/")[-2], response_time))  # .../tasks/ID/complete


def _signed_in(environment: Environment) -> None:
    """Count a user that finished signing in; when all have, restart the statistics: the window begins."""
    PHASES["signed_in"] += 1
    if PHASES["signed_in"] == USERS and environment.stats is not None:
        PHASES["ramp_requests"] = environment.stats.total.num_requests
        environment.stats.reset_all()
        PHASES["window_started"] = time.monotonic()


def _phases(now: float) -> dict[str, Any]:
    started, window = PHASES["started"] or now, PHASES["window_started"]
    return {"users": USERS, "signed_in": PHASES["signed_in"], "ramp_requests": PHASES["ramp_requests"],
            "ramp_seconds": round((window or now) - started, 1),
            "window_seconds": round(now - window, 1) if window is not None else None,
            "failures": [{"phase": phase, "method": method, "action": name, "error": error, "occurrences": n}
                         for (phase, method, name, error), n in sorted(FAILURES.items())]}


@events.test_stop.add_listener
def _write_records(**_kwargs: Any) -> None:
    for variable, content in (("YIKATONG_LOAD_SIGN_INS", SIGN_INS),
                              ("YIKATONG_LOAD_PHASES", _phases(time.monotonic())),
                              ("YIKATONG_LOAD_COMPLETIONS", COMPLETIONS)):
        path = os.environ.get(variable)
        if path:
            with open(path, "w") as out:
                json.dump(content, out)


def _share(number: int) -> tuple[int, int]:
    """Return (my index, how many users) among the users that take identity number *number* % len."""
    size = len(IDENTITIES)
    return number // size, USERS // size + (1 if number % size < USERS % size else 0)


class RoleUser(HttpUser):
    """One person at work: mostly reading their lists and pages, now and then completing a task."""

    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        try:
            self._sign_in()
        finally:
            _signed_in(self.environment)

    def _sign_in(self) -> None:
        # Like a browser: a GET whose kept-alive connection the server closed at that very moment (idle
        # timeout) is sent again once on a new connection. POSTs are never resent.
        retry = Retry(total=1, connect=1, read=1, status=0, other=0, allowed_methods={"GET"},
                      raise_on_status=False)
        self.client.mount("http://", HTTPAdapter(max_retries=retry))
        number = next(_numbers)
        self.username, steps = IDENTITIES[number % len(IDENTITIES)]
        self.steps = set(steps)
        self.index, self.sharing = _share(number)
        self.token, self.sha, self.projects = "", "", []
        page = self.client.get("/login", name="page: sign-in form")
        token = CSRF.search(page.text)
        self.client.post("/login", name="sign in (page)", data={
            "csrf_token": token.group(1) if token else "", "username": self.username, "password": PASSWORD,
            "next": ""})
        if self.username not in TOKENS:
            answer = self.client.post("/api/v1/tokens", name="sign in (API token)",
                                      json={"username": self.username, "password": PASSWORD})
            TOKENS[self.username] = answer.json().get("token", "") if answer.ok else ""
        self.token = TOKENS[self.username]
        if self.steps:
            self.upload()

    def _api(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def _mine(self) -> list[dict[str, Any]]:
        answer = self.client.get("/api/v1/tasks?limit=100", name="api: list tasks", headers=self._api())
        items = answer.json().get("items", []) if answer.ok else []
        self.projects = [t["instance_id"] for t in items][:20] or self.projects
        return [t for t in items if t["name"] in self.steps
                and zlib.crc32(t["id"].encode()) % self.sharing == self.index]

    @task(1)
    def upload(self) -> None:
        if not self.steps:
            return
        answer = self.client.post("/api/v1/files", name="api: upload file", headers=self._api(),
                                  files={"file": ("report.pdf", PDF, "application/pdf")})
        if answer.status_code == 201:
            self.sha = answer.json()["sha256"]

    @task(3)
    def task_list_page(self) -> None:
        self.client.get("/", name="page: task list")

    @task(6)
    def complete(self) -> None:
        mine = self._mine()
        if not mine:
            if "declare" in self.steps:
                self.declare()
            return
        chosen = random.choice(mine)
        self.client.get(f"/tasks/{chosen['id']}", name="page: task")
        detail = self.client.get(f"/api/v1/tasks/{chosen['id']}", name="api: task", headers=self._api())
        if not detail.ok:
            return
        data = step_data(chosen["name"], self.sha, random.choice(list(BANKS)), remaining_to_pay(detail.json()),
                         chosen.get("stage"))
        ACKS.write(f"sent {chosen['id']}\n")
        with self.client.post(f"/api/v1/tasks/{chosen['id']}/complete", name=COMPLETE,
                              headers=self._api(), json={"data": data}, catch_response=True) as answer:
            if answer.status_code == 409 and "already been handled" in answer.text:
                answer.success()  # another user of the same identity completed it first: the right answer
                ACKS.write(f"raced {chosen['id']}\n")
                return
        ACKS.write(f"{'ack' if answer.ok else 'refused'} {chosen['id']}\n")

    def declare(self) -> None:
        ACKS.write(f"declaring {self.username}\n")  # the declaration's task id is known only from the answer
        answer = self.client.post("/api/v1/projects", name="api: declare project", headers=self._api(),
                                  json={"data": step_data("declare", self.sha)})
        ACKS.write(f"declared {self.username}\n")
        if answer.ok and answer.json().get("task_id"):
            ACKS.write(f"ack {answer.json()['task_id']}\n")

    @task(3)
    def project_page(self) -> None:
        if self.projects:
            self.client.get(f"/projects/{random.choice(self.projects)}", name="page: project")
        else:
            self.client.get("/projects/", name="page: project list")

    @task(2)
    def dashboard(self) -> None:
        if self.username == "supervisor":
            self.client.get("/dashboard/", name="page: dashboard")
            self.client.get("/api/v1/dashboard", name="api: dashboard", headers=self._api())
