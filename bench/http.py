"""Task completion over HTTP: the JSON API through Flask's test client, bearer token included."""
from __future__ import annotations

from time import perf_counter_ns
from typing import Any

from bench.engine_paths import STEPS, step_data
from services.context import Services
from services.demo import DEMO_PASSWORD
from services.instances import start_instance
from services.users import load_actor
from web.app import create_app


class HttpUseCase:
    """Start a linear instance (untimed), then time POST /api/v1/tasks/<id>/complete for each task."""

    def __init__(self, name: str, ctx: Services) -> None:
        self.name, self.ctx = name, ctx
        self.actor = load_actor(ctx, "hrss_clerk")
        self.client = create_app({"TESTING": True}, services_=ctx).test_client()
        answer = self.client.post("/api/v1/tokens", json={"username": "hrss_clerk", "password": DEMO_PASSWORD})
        assert answer.status_code == 201, answer.get_json()
        self.headers = {"Authorization": f"Bearer {answer.get_json()['token']}"}

    def run_once(self, counter: Any = None, keep: bool = True) -> list[int]:
        """Run one instance to its end through the API; return the time of each request."""
        ready = start_instance(self.ctx, self.actor, "bench_linear")["ready"]
        samples = []
        for step in range(1, STEPS + 1):
            started = perf_counter_ns()
            answer = self.client.post(f"/api/v1/tasks/{ready[0]['id']}/complete", headers=self.headers,
                                      json={"data": step_data(step)})
            samples.append(perf_counter_ns() - started)
            assert answer.status_code == 200, answer.get_json()
            ready = answer.get_json()["ready"]
        return samples
