"""Fixtures for the JSON API (the app and client come from tests/web/conftest.py)."""
from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from services.context import Services
from services.files import store_file
from services.users import load_actor
from tests.web.api.helpers import PDF, Api


@pytest.fixture
def api(client: FlaskClient) -> Api:
    """Calls /api/v1 as demo users."""
    return Api(client)


UPLOADERS = ("health_user", "transport_user", "culture_user", "bdc_reviewer", "hrss_clerk")


@pytest.fixture
def sha(services: Services) -> str:
    """The sha256 of a PDF each demo user who fills file fields has uploaded."""
    digests = {store_file(services, load_actor(services, user), "report.pdf", PDF)["sha256"] for user in UPLOADERS}
    return digests.pop()
