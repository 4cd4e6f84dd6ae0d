"""Form data for the first steps of the fund project, as its users would submit it."""
from __future__ import annotations

from typing import Any

from services.demo_projects import route

FUND_PROJECT = "fund_project"


def first_steps(sha: str) -> list[tuple[str, dict[str, Any]]]:
    """Return (task name, data) of the route declare → … → secure_funds, in order."""
    return [(task, data) for _user, task, data in route(sha, "health_user", "bank-icbc", "icbc_user")][:6]
