"""The OpenAPI document: public, valid, complete, and true to what the API answers."""
from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from tests import support
from tests.web.api.helpers import Api


@pytest.fixture
def document(api: Api) -> dict[str, Any]:
    """The document as a client fetches it, without a token."""
    response = api.client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _conforms(document: dict[str, Any], schema: str, body: Any) -> None:
    OAS30Validator({"components": document["components"], "$ref": f"#/components/schemas/{schema}"}).validate(body)


def test_the_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)


def test_the_document_lists_every_route_and_method(document: dict[str, Any], app: Flask) -> None:
    routes = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")]
    assert routes
    for rule in routes:
        path = re.sub(r"<(?:[a-z]+:)?([a-z_0-9]+)>", r"{\1}", rule.rule)
        assert path in document["paths"], path
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            assert method.lower() in document["paths"][path], (method, path)


def test_what_the_api_answers_matches_the_document(document: dict[str, Any], api: Api, sha: str) -> None:
    _conforms(document, "Token", api.sign_in("health_user").get_json())
    started = api.post("/api/v1/projects", "health_user", {"data": support.declare(sha)})
    _conforms(document, "Started", started.get_json())
    task = started.get_json()["ready"][0]
    _conforms(document, "TaskList", api.get("/api/v1/tasks", "bdc_reviewer").get_json())
    _conforms(document, "TaskDetail", api.get(f"/api/v1/tasks/{task['id']}", "bdc_reviewer").get_json())
    _conforms(document, "Error", api.complete(task, {"review_decision": "maybe"}).get_json())
    _conforms(document, "Completion", api.complete(task, support.review(sha=sha)).get_json())
    _conforms(document, "ProjectPage", api.get("/api/v1/projects", "supervisor").get_json())
    instance = started.get_json()["instance_id"]
    _conforms(document, "ProjectDetail", api.get(f"/api/v1/projects/{instance}", "supervisor").get_json())
    _conforms(document, "Error", api.get("/api/v1/nothing", None).get_json())


def _transport_errors(operation: dict[str, Any]) -> set[str]:
    """The statuses the API's transport may answer for *operation*, whatever its use case does."""
    content = operation.get("requestBody", {}).get("content", {})
    codes = {"400", "413", "415", "422"} if "application/json" in content else set()
    codes |= {"400", "413"} if "multipart/form-data" in content else set()
    codes |= set() if operation.get("security") == [] else {"401"}
    codes |= {"400", "422"} if any(p.get("in") == "query" for p in operation.get("parameters", [])) else set()
    codes |= {"404"} if any(p.get("in") == "path" for p in operation.get("parameters", [])) else set()
    return codes


def test_every_operation_documents_the_errors_of_its_transport(document: dict[str, Any]) -> None:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            missing = _transport_errors(operation) - set(operation["responses"])
            assert not missing, (method, path, missing)


def test_path_numbers_are_bounded_by_the_database(document: dict[str, Any]) -> None:
    for path, operations in document["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and parameter["schema"].get("type") == "integer":
                    assert parameter["schema"]["maximum"] == 2**31 - 1, (path, parameter["name"])
