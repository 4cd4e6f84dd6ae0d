"""Fixtures for the JSON API (the app and client come from tests/web/conftest.py)."""
from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from services.context import Services
from services.files import store_file
from tests.web.api.helpers import PDF, Api


@pytest.fixture
def api(client: FlaskClient) -> Api:
    """Calls /api/v1 as demo users."""
    return Api(client)


@pytest.fixture
def sha(services: Services) -> str:
    """The sha256 of a stored PDF, usable in every file field."""
    return store_file(services, None, "report.pdf", PDF)["sha256"]
