"""The audit log lists every recorded action, refusals included, filtered and paged for its readers."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pytest

from services.context import Services
from services.errors import NotFound, PermissionDenied, ValidationError
from services.instances import show_instance
from services.oversight.audit_log import AuditFilter, audit_page, export_events
from services.users import load_actor
from tests import support
from tests.services import samples
from tests.services.journey import Journey


@pytest.fixture
def logged(services: Services) -> dict[str, int]:
    """Two days of work: a project declared on 1 October, reviewed on 2 October, and a refused peek."""
    samples.at(services, samples.SEEDED_AT)
    j = Journey(services)
    j.do("health_user", "declare", support.declare(j.sha))
    samples.at(services, datetime(2026, 10, 2, 2, 0, tzinfo=timezone.utc))
    j.do("bdc_reviewer", "review", support.review(sha=j.sha))
    with pytest.raises(NotFound):
        show_instance(services, load_actor(services, "transport_user"), j.instance_id)
    return {"instance": j.instance_id}


def _events(services: Services, flt: AuditFilter, **paging: int) -> list[tuple[str, str | None]]:
    page = audit_page(services, load_actor(services, "supervisor"), flt, **paging)
    return [(e["event"], e["user"]) for e in page["items"]]


def test_every_action_is_listed_newest_first(services: Services, logged: dict[str, int]) -> None:
    assert _events(services, AuditFilter()) == [
        ("access_denied", "transport_user"), ("task_completed", "bdc_reviewer"),
        ("task_completed", "health_user"), ("instance_started", "health_user")]


@pytest.mark.parametrize(("flt", "expected"), [
    (AuditFilter(user="health_user"), [("task_completed", "health_user"), ("instance_started", "health_user")]),
    (AuditFilter(organization="bdc"), [("task_completed", "bdc_reviewer")]),
    (AuditFilter(organization="dept-transport"), [("access_denied", "transport_user")]),
    (AuditFilter(event="access_denied"), [("access_denied", "transport_user")]),
    (AuditFilter(date_from=date(2026, 10, 2)), [("access_denied", "transport_user"),
                                                 ("task_completed", "bdc_reviewer")]),
    (AuditFilter(date_to=date(2026, 10, 1)), [("task_completed", "health_user"), ("instance_started", "health_user")]),
    (AuditFilter(date_from=date(2026, 10, 3)), []),
    (AuditFilter(user="health_user", event="instance_started"), [("instance_started", "health_user")]),
])
def test_the_log_is_filtered_by_user_organisation_action_and_days(services: Services, logged: dict[str, int],
                                                                  flt: AuditFilter, expected: list[Any]) -> None:
    assert _events(services, flt) == expected


def test_the_log_is_filtered_by_project(services: Services, logged: dict[str, int]) -> None:
    assert len(_events(services, AuditFilter(instance_id=logged["instance"]))) == 4
    assert _events(services, AuditFilter(instance_id=logged["instance"] + 1)) == []


def test_the_log_is_paged_without_counting_it(services: Services, logged: dict[str, int]) -> None:
    supervisor = load_actor(services, "supervisor")
    first = audit_page(services, supervisor, page=1, per_page=3)
    last = audit_page(services, supervisor, page=2, per_page=3)
    assert (len(first["items"]), first["has_next"], len(last["items"]), last["has_next"]) == (3, True, 1, False)
    exported = [e["id"] for e in export_events(services, load_actor(services, "admin"))]
    assert exported == [e["id"] for e in first["items"] + last["items"]]


@pytest.mark.parametrize(("flt", "field"), [
    (AuditFilter(user="nobody"), "user"), (AuditFilter(organization="nowhere"), "organization"),
    (AuditFilter(date_from=date(2026, 10, 2), date_to=date(2026, 10, 1)), "date_to"),
])
def test_a_bad_filter_is_refused(services: Services, flt: AuditFilter, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        audit_page(services, load_actor(services, "supervisor"), flt)
    assert list(caught.value.field_messages()) == [field]


@pytest.mark.parametrize("username", ["hrss_head", "bdc_reviewer", "icbc_user", "health_user"])
def test_only_supervisors_and_administrators_read_the_log(services: Services, username: str) -> None:
    who = load_actor(services, username)
    with pytest.raises(PermissionDenied):
        audit_page(services, who)
    with pytest.raises(PermissionDenied):
        export_events(services, who)
