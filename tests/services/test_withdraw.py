"""A department may withdraw its declaration until the BDC has reviewed it."""
from __future__ import annotations

import pytest

from services.context import Services
from services.errors import ConflictError, Hidden, PermissionDenied, ValidationError
from services.inbox import tasks_for
from services.withdraw import withdraw
from tests import support
from tests.services.journey import Journey


def test_withdrawing_before_review_cancels_the_open_tasks(services: Services) -> None:
    j = Journey(services)
    j.do("health_user", "declare", support.declare(j.sha))
    withdraw(services, j.actor("health_user"), j.instance_id, "预算另行安排")
    shown = j.show()
    assert (shown["status"], shown["open_tasks"]) == ("withdrawn", [])
    assert tasks_for(services, j.actor("bdc_reviewer")) == []
    assert shown["history"][-1]["data"] == {"reason": "预算另行安排"}


def test_after_review_or_by_others_withdrawal_is_refused(services: Services) -> None:
    j = Journey(services)
    with pytest.raises(Hidden):
        withdraw(services, j.actor("transport_user"), j.instance_id)
    with pytest.raises(PermissionDenied):
        withdraw(services, j.actor("hrss_clerk"), j.instance_id)
    j.do("health_user", "declare", support.declare(j.sha))
    j.do("bdc_reviewer", "review", support.review(sha=j.sha))
    with pytest.raises(ConflictError):
        withdraw(services, j.actor("health_user"), j.instance_id)
    assert j.show()["status"] == "running"


@pytest.mark.parametrize("reason", ["", "  \n\t ", None, "理" * 501])
def test_a_withdrawal_needs_a_reason_of_at_most_500_characters(services: Services, reason: str | None) -> None:
    j = Journey(services)
    j.do("health_user", "declare", support.declare(j.sha))
    with pytest.raises(ValidationError) as refused:
        withdraw(services, j.actor("health_user"), j.instance_id, reason)  # type: ignore[arg-type]
    assert [e.path for e in refused.value.fields] == ["reason"]
    shown = j.show()
    assert (shown["status"], [t["name"] for t in shown["open_tasks"]]) == ("running", ["review"])
