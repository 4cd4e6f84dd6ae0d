"""The page fixtures (app, client, signed-in site) for the plan page tests."""
from tests.web.conftest import app, client, site  # noqa: F401
