"""A live /api/v1 for black-box tests: waitress on a free loopback port, on a database with the demo's data."""
from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import insert, select

from models.tables import api_token, app_user
from services.auth import TOKEN_LIFETIME
from services.clock import to_db
from services.context import Services
from services.declaration.functions import list_functions
from services.demo_projects import seed_sample_projects
from services.inbox import tasks_for
from services.users import load_actor
from web.app import create_app


@dataclass
class LiveApi:
    """The served application, its services and a bearer token per demo user."""

    url: str
    services: Services
    app: Flask
    instances: list[int]
    tokens: dict[str, str] = field(default_factory=dict)

    def real_ids(self, username: str) -> dict[str, list[object]]:
        """Return path parameter values that name real objects: the user's tasks, the demo's projects …"""
        tasks = [t["id"] for t in tasks_for(self.services, load_actor(self.services, username))]
        today = self.services.clock.today().year
        return {"task_id": tasks, "instance_id": self.instances, "year": [today, today + 1],
                "code": [f["code"] for f in list_functions(self.services)],
                "process_id": ["fund_project", "allocation"], "version": [1]}

    def token(self, username: str) -> str:
        """Return the bearer token of *username* (one per user for the whole run)."""
        if username not in self.tokens:
            self.tokens[username] = self.mint(username)
        return self.tokens[username]

    def mint(self, username: str) -> str:
        """Return a new bearer token of *username*, stored as POST /api/v1/tokens stores one (no password hash)."""
        token, now = secrets.token_urlsafe(32), self.services.clock.now()
        with self.services.db.write() as conn:
            user_id = conn.execute(select(app_user.c.id).where(app_user.c.username == username)).scalar_one()
            conn.execute(insert(api_token).values(
                token_hash=hashlib.sha256(token.encode()).hexdigest(), user_id=user_id,
                created_at=to_db(now), expires_at=to_db(now + TOKEN_LIFETIME)))
        return token


def demo_database(backend: str, request: pytest.FixtureRequest, folder: Path) -> tuple[Services, list[int]]:
    """Return services on a fresh copy of the seeded database, and the demo's sample projects in it."""
    from tests.conftest import fresh_services

    ctx = fresh_services(backend, request, folder)
    return ctx, seed_sample_projects(ctx)


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve *app* with waitress on 127.0.0.1 and a free port in a thread; yield its base URL."""
    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    closing = threading.Event()

    def run() -> None:
        try:
            server.run()
        except OSError:
            if not closing.is_set():  # closing the sockets under the loop's select() is how it stops
                raise

    thread = threading.Thread(target=run, name="waitress-live-api", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        closing.set()
        server.close()
        thread.join(10)


@contextmanager
def live_api(backend: str, request: pytest.FixtureRequest, folder: Path,
             monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveApi]:
    """Yield the API served live on a demo database of *backend*."""
    ctx, instances = demo_database(backend, request, folder)
    monkeypatch.setenv("YIKATONG_INSTANCE_PATH", str(folder / "instance"))
    monkeypatch.setenv("YIKATONG_SECRET_KEY", "live-secret")
    app = create_app({"TESTING": False}, services_=ctx)
    try:
        with serving(app) as url:
            yield LiveApi(url=url, services=ctx, app=app, instances=instances)
    finally:
        ctx.db.dispose()
