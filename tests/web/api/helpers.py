"""A small client for /api/v1 in tests: tokens per user, JSON calls, driving a project step by step."""
from __future__ import annotations

import io
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from services.demo import DEMO_PASSWORD
from tests import support

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

USER_FOR_LANE = {"department": "health_user", "bdc": "bdc_reviewer", "hrss": "hrss_clerk",
                 "hrss_head": "hrss_head", "bank": "icbc_user"}
USER_FOR_TASK = {"plan_review": "hrss_reviewer"}
PLAN_STEPS = ("plan_prepare", "plan_review", "plan_signoff", "bank_confirm")


def form_data(task: str, sha: str) -> dict[str, Any]:
    """Return valid sample values for the form of *task* (files named by *sha*)."""
    samples: dict[str, Any] = {
        "declare": support.declare(sha), "review": support.review(sha=sha),
        "plan_prepare": {}, "plan_review": support.decision("plan_review"),
        "assign_bank": support.assign_bank(),
        "plan_signoff": support.decision("plan_signoff"), "bank_confirm": support.SECURE_FUNDS,
        "procurement": support.PROCUREMENT, "contract": support.CONTRACT,
        "construction": support.CONSTRUCTION, "acceptance": support.acceptance(sha=sha),
        "acceptance_bdc": support.sign("bdc"), "acceptance_hrss": support.sign("hrss"),
        "payment_notice": support.notice(support.PROCUREMENT["contract_price"], sha=sha),
        "payment_receipt": support.receipt(), "payment": support.paid(),
    }
    return samples[task]


def user_for(task: dict[str, Any]) -> str:
    """Return the demo user who does *task* in these tests."""
    return USER_FOR_TASK.get(task["name"], USER_FOR_LANE[task["lane"]])


class Api:
    """Calls /api/v1 as demo users, signing each in once."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.tokens: dict[str, str] = {}

    def sign_in(self, username: str, password: str = DEMO_PASSWORD) -> TestResponse:
        """POST /api/v1/tokens."""
        return self.client.post("/api/v1/tokens", json={"username": username, "password": password})

    def headers(self, user: str | None) -> dict[str, str]:
        """Return the Authorization header of *user* (none for None)."""
        if user is None:
            return {}
        if user not in self.tokens:
            response = self.sign_in(user)
            assert response.status_code == 201, response.get_json()
            self.tokens[user] = response.get_json()["token"]
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    def get(self, path: str, user: str | None, **query: Any) -> TestResponse:
        """GET *path* as *user*."""
        return self.client.get(path, headers=self.headers(user), query_string=query)

    def post(self, path: str, user: str | None, body: Any = None, **kwargs: Any) -> TestResponse:
        """POST *body* as JSON to *path* as *user*."""
        if body is not None:
            kwargs["json"] = body
        return self.client.post(path, headers=self.headers(user), **kwargs)

    def upload(self, user: str | None, content: bytes = PDF, name: str = "report.pdf") -> TestResponse:
        """POST *content* as the multipart part `file` to /api/v1/files."""
        return self.post("/api/v1/files", user, data={"file": (io.BytesIO(content), name)},
                         content_type="multipart/form-data")

    def complete(self, task: dict[str, Any], data: dict[str, Any], user: str | None = None) -> TestResponse:
        """Complete *task* with *data* as its usual user (or *user*)."""
        return self.post(f"/api/v1/tasks/{task['id']}/complete", user or user_for(task), {"data": data})

    def declare(self, sha: str, user: str = "health_user", **overrides: Any) -> dict[str, Any]:
        """Start a project with a complete declaration; return the answer."""
        response = self.post("/api/v1/projects", user, {"data": support.declare(sha, **overrides)})
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def newest_plan_task(self, name: str = "plan_prepare", user: str = "hrss_clerk") -> dict[str, Any]:
        """Return the open plan step *name* of the newest plan, as *user*'s task list shows it."""
        response = self.get("/api/v1/tasks", user, limit=200)
        assert response.status_code == 200, response.get_json()
        found = [t for t in response.get_json()["items"] if t["name"] == name]
        assert found, f"no open {name} for {user}: {response.get_json()}"
        return max(found, key=lambda t: t["instance_id"])

    def through_plan(self, project_id: int, until: str | None = None) -> list[dict[str, Any]]:
        """Take the newest plan from preparation to the bank's confirmation; return the project's ready tasks.

        With *until* a plan step, stop when it is ready and return it.
        """
        ready = [self.newest_plan_task()]
        while ready and ready[0]["name"] in PLAN_STEPS:
            if ready[0]["name"] == until:
                return ready
            response = self.complete(ready[0], form_data(ready[0]["name"], ""))
            assert response.status_code == 200, response.get_json()
            ready = response.get_json()["ready"]
        project = self.get(f"/api/v1/projects/{project_id}", "hrss_clerk").get_json()
        return [t for t in project["open_tasks"]]

    def advance(self, started: dict[str, Any], sha: str, until: str) -> dict[str, Any]:
        """Complete the project's tasks with sample data until task *until* is ready; return it.

        Past `assign_bank` the project waits for its bank's plan, which is taken through its steps.
        """
        ready = started["ready"]
        while True:
            for task in ready:
                if task["name"] == until:
                    return {**task, "instance_id": started["instance_id"]}
            if not ready:
                ready = self.through_plan(started["instance_id"], until)
                assert ready, f"{until} never became ready"
                continue
            response = self.complete(ready[0], form_data(ready[0]["name"], sha))
            assert response.status_code == 200, response.get_json()
            ready = response.get_json()["ready"]
