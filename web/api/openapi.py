"""The OpenAPI 3 document of /api/v1, built by apispec from the marshmallow schemas."""
from __future__ import annotations

import functools
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Response

from web.api import documents, model_openapi, oversight, project_schemas, schemas
from web.api import idempotency, ledger, money_schemas, plans, reconciliations
from web.api.blueprint import bp
from web.api.http import json_response
from web.request import MAX_URL_INTEGER

ERRORS = {
    400: ("BadRequest", "The request is malformed (not JSON, not an object, unknown or missing keys)."),
    401: ("Unauthorized", "No bearer token, or it is invalid or expired (or wrong credentials)."),
    403: ("Forbidden", "The user may see the object but not do this to it."),
    404: ("NotFound", "No such object, or one of another organisation."),
    409: ("Conflict", "Someone already handled the task or changed the project, or the request with this "
                      "Idempotency-Key is still running."),
    413: ("PayloadTooLarge", "The body is too large."),
    415: ("UnsupportedMediaType", "The body is not application/json."),
    422: ("Unprocessable", "The values break the form's or the record's rules (or hold a NUL character, "
                           "which cannot be stored); `errors` names each field (or the Idempotency-Key was "
                           "used for another request)."),
    429: ("TooManyRequests", "Too many failed sign-ins, or too many verifications from one address; see "
                             "Retry-After."),
}
URL_INTEGER = {"type": "integer", "minimum": 0, "maximum": MAX_URL_INTEGER}
TASK_ID = {"in": "path", "name": "task_id", "required": True, "schema": {"type": "string"}}
INSTANCE_ID = {"in": "path", "name": "instance_id", "required": True, "schema": URL_INTEGER}
SHA256 = {"in": "path", "name": "sha256", "required": True,
          "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}
CODE = {"in": "path", "name": "code", "required": True, "schema": {"type": "string"}}
YEAR = {"in": "path", "name": "year", "required": True, "schema": URL_INTEGER}
IDEMPOTENCY_KEY = idempotency.PARAMETER


def _json(schema: str) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _op(summary: str, ok: int, schema: str | None, fails: tuple[int, ...], *, public: bool = False,
        body: str | None = None, body_required: bool = True, binary: bool = False,
        **extra: Any) -> dict[str, Any]:
    responses: dict[Any, Any] = {str(ok): {"description": summary}}
    if schema:
        responses[str(ok)]["content"] = _json(schema)
    if binary:
        responses[str(ok)]["content"] = {"application/octet-stream": {"schema": {"type": "string",
                                                                                 "format": "binary"}}}
    takes_text = body is not None or any(p.get("in") == "query" for p in extra.get("parameters", []))
    for code in sorted({*(() if public else (401,)), *fails, *((422,) if takes_text else ())}):
        responses.setdefault(str(code), {"$ref": f"#/components/responses/{ERRORS[code][0]}"})
    operation: dict[str, Any] = {"summary": summary, "responses": responses, **extra}
    if public:
        operation["security"] = []
    if body:
        operation["requestBody"] = {"required": body_required, "content": _json(body)}
    return operation


def _paths() -> dict[str, dict[str, Any]]:
    json_in = (400, 413, 415)
    return {
        "/api/v1/tokens": {"post": _op("Exchange a user name and password for a bearer token", 201, "Token",
                                       (*json_in, 401, 429), public=True, body="TokenRequest")},
        "/api/v1/tokens/current": {"delete": _op("Revoke the bearer token of this request", 204, None, ())},
        "/api/v1/tasks": {"get": _op("The tasks waiting for the user, soonest due first", 200, "TaskList", (400,),
                                     parameters=[{"in": "query", "schema": "TaskQuery"}])},
        "/api/v1/tasks/{task_id}": {"get": _op("One task with its project and form (JSON Schema)", 200,
                                               "TaskDetail", (404,), parameters=[TASK_ID])},
        "/api/v1/tasks/{task_id}/complete": {"post": _op(
            "Complete a task with its form values", 200, "Completion", (*json_in, 403, 404, 409, 422),
            body="CompleteRequest", parameters=[TASK_ID, IDEMPOTENCY_KEY])},
        "/api/v1/projects": {
            "get": _op("One page of the projects the user may see, newest first", 200, "ProjectPage", (400,),
                       parameters=[{"in": "query", "schema": "ProjectQuery"}]),
            "post": _op("Start a project (department), optionally submitting its declaration", 201, "Started",
                        (*json_in, 403, 409, 422), body="StartRequest", body_required=False,
                        parameters=[IDEMPOTENCY_KEY]),
        },
        "/api/v1/projects/{instance_id}": {"get": _op("A project with its tasks, facts, payments and history",
                                                      200, "ProjectDetail", (404,), parameters=[INSTANCE_ID])},
        "/api/v1/files": {"post": _op(
            "Upload a file for a form field of format `file`", 201, "StoredFile", (400, 403, 413, 422),
            requestBody={"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}}}}}})},
        "/api/v1/files/{sha256}": {"get": _op("Download a file of a project the user may see", 200, None, (404,),
                                              parameters=[SHA256], binary=True)},
        "/api/v1/openapi.json": {"get": _op("This document", 200, None, (), public=True)},
        **model_openapi.model_paths(_op),
        **_money_paths(json_in),
        **oversight.paths(_op, INSTANCE_ID, TASK_ID),
        **reconciliations.paths(_op, json_in),
        **documents.paths(_op, INSTANCE_ID),
        **ledger.paths(_op),
        **plans.paths(_op, json_in),
    }


def _money_paths(json_in: tuple[int, ...]) -> dict[str, dict[str, Any]]:
    return {
        "/api/v1/card-functions": {
            "get": _op("The card function list (应用功能清单)", 200, "CardFunctionList", (400,),
                       parameters=[{"in": "query", "schema": "CardFunctionQuery"}]),
            "post": _op("Add a card function (the bureau)", 201, "CardFunction", (*json_in, 403, 422),
                        body="CardFunctionCreate"),
        },
        "/api/v1/card-functions/{code}": {
            "get": _op("One card function", 200, "CardFunction", (404,), parameters=[CODE]),
            "patch": _op("Change or deactivate a card function (the bureau)", 200, "CardFunction",
                         (*json_in, 403, 404, 422), body="CardFunctionPatch", parameters=[CODE]),
            "delete": _op("Delete a card function no declaration has used (the bureau)", 204, None,
                          (403, 404, 409), parameters=[CODE]),
        },
        "/api/v1/years/{year}": {"get": _op("A funding year's declaration rounds and today's round", 200,
                                            "FundingYear", (404,), parameters=[YEAR])},
        "/api/v1/allocations": {
            "get": _op("The fixed allocations (a bank sees its own share only)", 200, "AllocationList", (403,)),
            "post": _op("Start an allocation (the bureau), optionally with the pool and card counts", 201,
                        "Started", (*json_in, 403, 409, 422), body="StartRequest", body_required=False,
                        parameters=[IDEMPOTENCY_KEY]),
        },
        "/api/v1/allocations/{year}": {"get": _op("A year's allocation and its allocation processes", 200,
                                                  "AllocationYear", (403, 404), parameters=[YEAR])},
    }


SCHEMAS = (
    schemas.Error, schemas.TokenRequest, schemas.Token, schemas.TaskQuery, schemas.TaskList, schemas.TaskPlanRow,
    schemas.TaskPlan, schemas.TaskDetail,
    schemas.CompleteRequest, schemas.Completion, schemas.StartRequest, schemas.Started, schemas.ProjectQuery,
    project_schemas.ProjectPage, project_schemas.ProjectDetail, project_schemas.StoredFile,
    *model_openapi.SCHEMAS,
    money_schemas.CardFunction, money_schemas.CardFunctionList, money_schemas.CardFunctionQuery,
    money_schemas.CardFunctionCreate, money_schemas.CardFunctionPatch, money_schemas.FundingYear,
    money_schemas.AllocationList, money_schemas.AllocationYear,
    *oversight.SCHEMAS,
    *reconciliations.SCHEMAS,
    *documents.SCHEMAS,
    *ledger.SCHEMAS,
    *plans.SCHEMAS,
)


@functools.cache
def document() -> dict[str, Any]:
    """Return the OpenAPI document (built once per process)."""
    plugin = MarshmallowPlugin()
    spec = APISpec(
        title="yikatong API", version="1", openapi_version="3.0.3", plugins=[plugin],
        info={"description": "Taicang social security card \"One Card\" cooperative bank funds: tasks and "
                             "projects for integrations. Money is a string in yuan with two decimals; "
                             "timestamps are ISO 8601."},
        security=[{"bearer": []}],
    )
    plugin.map_to_openapi_type(schemas.Timestamp, "string", "date-time")
    plugin.map_to_openapi_type(schemas.Day, "string", "date")
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for schema in SCHEMAS:
        spec.components.schema(schema.__name__, schema=schema)
    for name, description in ERRORS.values():
        spec.components.response(name, {"description": description, "content": _json("Error")})
    for path, operations in _paths().items():
        spec.path(path=path, operations=operations)
    return _empty_means_absent(spec.to_dict())


def _empty_means_absent(doc: dict[str, Any]) -> dict[str, Any]:
    """Mark the optional query parameters as `allowEmptyValue`: `?year=` is taken as no year (see query_args)."""
    for operations in doc["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
    return doc


@bp.get("/openapi.json")
def openapi() -> Response:
    """Answer the OpenAPI document of this API (no token needed)."""
    return json_response(document())
