"""Fixtures for the JSON API: the app around the test database, a client and a stored report."""
from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.context import Services
from services.files import store_file
from tests.web.api.helpers import PDF, Api
from web.app import create_app


@pytest.fixture
def app(services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """The application on the test's database, keeping its instance folder out of the checkout."""
    monkeypatch.setenv("YIKATONG_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("YIKATONG_SECRET_KEY", "test-secret")
    return create_app({"TESTING": True}, services_=services)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the application."""
    return app.test_client()


@pytest.fixture
def api(client: FlaskClient) -> Api:
    """Calls /api/v1 as demo users."""
    return Api(client)


@pytest.fixture
def sha(services: Services) -> str:
    """The sha256 of a stored PDF, usable in every file field."""
    return store_file(services, None, "report.pdf", PDF)["sha256"]
