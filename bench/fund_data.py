"""Form data for the first steps of the fund project, as its users would submit it."""
from __future__ import annotations

from typing import Any

from services.demo_projects import URGENCY_REASON, route

FUND_PROJECT = "fund_project"


def first_steps(sha: str) -> list[tuple[str, dict[str, Any]]]:
    """Return (task name, data) of the project's own first steps declare → review → assign_bank, in order.

    After assign_bank the project waits for its bank's plan (a process instance of its own).

    The declaration picks a card function of the demo list and gives an urgency reason, which a
    declaration outside the annual round (any day but January's, on the real clock) must have.
    """
    steps = [(task, data) for _user, task, data in route(sha, "health_user", "bank-icbc", "icbc_user")][:3]
    return [(task, {**data, "urgency_reason": URGENCY_REASON} if task == "declare" else data)
            for task, data in steps]
