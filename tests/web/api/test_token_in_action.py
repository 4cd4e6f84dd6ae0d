"""A task completion verifies its bearer token inside its own transaction (services.bearer).

A token this process found valid a moment ago is checked again by the completion itself, with
its user and roles read afresh: revoking it, letting it expire, deactivating its user or
withdrawing a role counts at once, and a refused completion changes nothing.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

from models.tables import app_user, audit_event, human_task, user_role
from services import bearer
from services.auth import TOKEN_LIFETIME, token_digest
from services.clock import FixedClock
from services.context import Services
from tests.web.api.helpers import Api, form_data


@pytest.fixture
def review(api: Api, sha: str) -> dict[str, Any]:
    """The BDC review task of a project just declared, and the reviewer's token, already used once."""
    started = api.declare(sha)
    (task,) = started["ready"]
    assert api.get(f"/api/v1/tasks/{task['id']}", "bdc_reviewer").status_code == 200
    return {**task, "instance_id": started["instance_id"], "token": api.tokens["bdc_reviewer"]}


def _open(services: Services, task_id: str) -> bool:
    with services.db.read() as conn:
        status = conn.execute(select(human_task.c.status).where(human_task.c.id == task_id)).scalar_one()
    return status == "ready"


def _completions(services: Services) -> int:
    with services.db.read() as conn:
        return conn.execute(select(func.count()).select_from(audit_event)
                            .where(audit_event.c.event == "task_completed")).scalar_one()


def _refused_and_unchanged(api: Api, services: Services, review: dict[str, Any], sha: str) -> None:
    before = _completions(services)
    answer = api.complete(review, form_data("review", sha))
    assert answer.status_code == 401, answer.get_json()
    assert 'error="invalid_token"' in answer.headers["WWW-Authenticate"]
    assert answer.get_json()["message"] == "The token is invalid or has expired."
    assert _open(services, review["id"]) and _completions(services) == before


def test_a_used_token_completes_a_task_as_its_user(api: Api, services: Services, review: dict, sha: str) -> None:
    assert bearer.recently_valid(token_digest(review["token"]))
    answer = api.complete(review, form_data("review", sha))
    assert answer.status_code == 200, answer.get_json()
    with services.db.read() as conn:
        who = conn.execute(select(app_user.c.username).join(audit_event, audit_event.c.actor_id == app_user.c.id)
                           .where(audit_event.c.event == "task_completed",
                                  audit_event.c.task_id == review["id"])).scalar_one()
    assert who == "bdc_reviewer" and not _open(services, review["id"])


def test_a_token_revoked_after_its_last_use_cannot_complete(api: Api, services: Services, review: dict,
                                                             sha: str) -> None:
    headers = {"Authorization": f"Bearer {review['token']}"}
    assert api.client.delete("/api/v1/tokens/current", headers=headers).status_code == 204
    _refused_and_unchanged(api, services, review, sha)
    assert not bearer.recently_valid(token_digest(review["token"]))


def test_a_token_expired_since_its_last_use_cannot_complete(api: Api, services: Services, sha: str) -> None:
    issued = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
    services.clock = FixedClock(issued)
    started = api.declare(sha)
    (task,) = started["ready"]
    assert api.get(f"/api/v1/tasks/{task['id']}", "bdc_reviewer").status_code == 200
    services.clock = FixedClock(issued + TOKEN_LIFETIME + timedelta(seconds=1))
    _refused_and_unchanged(api, services, task, sha)


def test_a_user_deactivated_since_the_last_use_cannot_complete(api: Api, services: Services, review: dict,
                                                               sha: str) -> None:
    with services.db.write() as conn:
        conn.execute(update(app_user).where(app_user.c.username == "bdc_reviewer").values(is_active=False))
    _refused_and_unchanged(api, services, review, sha)


def test_a_role_withdrawn_since_the_last_use_counts_at_once(api: Api, services: Services, review: dict,
                                                            sha: str) -> None:
    with services.db.write() as conn:
        user_id = conn.execute(select(app_user.c.id).where(app_user.c.username == "bdc_reviewer")).scalar_one()
        conn.execute(delete(user_role).where(user_role.c.user_id == user_id, user_role.c.role == "bdc"))
    before = _completions(services)
    answer = api.complete(review, form_data("review", sha))
    assert answer.status_code in (403, 404), answer.get_json()
    assert _open(services, review["id"]) and _completions(services) == before


def test_a_stranger_token_is_refused_before_any_write_and_never_remembered(api: Api, services: Services,
                                                                           review: dict, sha: str) -> None:
    stranger = "not-a-token-anyone-was-given"
    answer = api.client.post(f"/api/v1/tasks/{review['id']}/complete",
                             headers={"Authorization": f"Bearer {stranger}"},
                             json={"data": form_data("review", sha)})
    assert answer.status_code == 401
    assert not bearer.recently_valid(token_digest(stranger))
    assert _open(services, review["id"])
