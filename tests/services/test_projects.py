"""Project lists show each user what it may see, filtered."""
from __future__ import annotations

from datetime import datetime, timezone

from services.clock import FixedClock
from services.context import Services
from services.projects import ProjectFilter, list_projects
from tests import support
from tests.services.journey import Journey


def test_lists_are_scoped_to_the_organisation_and_filterable(services: Services) -> None:
    assert isinstance(services.clock, FixedClock)
    march, services.clock.at = services.clock.at, datetime(2026, 1, 20, 2, 0, tzinfo=timezone.utc)
    health = Journey(services)
    health.do("health_user", "declare", support.declare(health.sha))
    services.clock.at = march
    transport = Journey(services, department="transport_user")
    transport.do("transport_user", "declare", support.declare(transport.sha, project_name="公交卡应用",
                                                             urgency_reason="年中急需。"))
    mine = list_projects(services, health.actor("health_user"))
    assert [(p["instance_id"], p["title"], p["budget"]) for p in mine["items"]] == [
        (health.instance_id, "社保卡乘车码应用", "1200000.00")]
    assert list_projects(services, health.actor("icbc_user"))["total"] == 0
    everyone = list_projects(services, health.actor("supervisor"))
    assert everyone["total"] == 2
    supplementary = list_projects(services, health.actor("hrss_clerk"), ProjectFilter(round="supplementary"))
    assert [p["instance_id"] for p in supplementary["items"]] == [transport.instance_id]
    assert list_projects(services, health.actor("hrss_clerk"), ProjectFilter(text="公交"))["total"] == 1
