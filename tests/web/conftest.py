"""Fixtures for the pages: the app around the test database, a client, people signed in."""
from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.context import Services
from tests.services.journey import Journey
from tests.web.site import Site
from web.app import create_app


@pytest.fixture
def app(services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """The application on the test's database with CSRF protection on, its instance folder in tmp."""
    monkeypatch.setenv("YIKATONG_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("YIKATONG_SECRET_KEY", "test-secret")
    return create_app({"TESTING": True}, services_=services)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser that has not signed in."""
    return app.test_client()


@pytest.fixture
def site(app: Flask) -> Site:
    """Demo users, each signed in in a browser of their own."""
    return Site(app)


@pytest.fixture
def journey(services: Services) -> Journey:
    """A new fund project declared by the health department, driven through the services."""
    return Journey(services)
