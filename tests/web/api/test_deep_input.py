"""Deeply nested JSON is refused with a message before any schema check recurses into it."""
from __future__ import annotations

from typing import Any

import pytest

from services.errors import ValidationError
from services.forms import validate
from tests.web.api.helpers import Api


def nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = {"a": value}
    return value


def deep_text(depth: int) -> str:
    return '{"a": ' * depth + '"x"' + "}" * depth


def test_a_field_nested_a_thousand_deep_is_a_400_not_a_500(api: Api, sha: str) -> None:
    started = api.declare(sha)
    (task,) = started["ready"]
    body = '{"data": {"review_decision": "approve", "review_opinion": ' + deep_text(1000) + "}}"
    response = api.post(f"/api/v1/tasks/{task['id']}/complete", "bdc_reviewer", data=body,
                        content_type="application/json")
    assert response.status_code == 400, response.get_json()
    assert "nested too deeply" in response.get_json()["message"]
    body = '{"data": {"project_name": ' + deep_text(1000) + "}}"
    response = api.post("/api/v1/projects", "health_user", data=body, content_type="application/json")
    assert response.status_code == 400 and "nested too deeply" in response.get_json()["message"]


def test_form_data_too_deep_is_refused_by_the_services_too() -> None:
    with pytest.raises(ValidationError, match="nested too deeply"):
        validate({"type": "object", "properties": {"a": {"type": "string"}}}, {"a": nested(1000)})
