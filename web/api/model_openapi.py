"""The OpenAPI paths of process models, project diagrams and migrations (added to web/api/openapi.py)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from web.api import model_schemas
from web.request import MAX_URL_INTEGER

PROCESS_ID = {"in": "path", "name": "process_id", "required": True, "schema": {"type": "string"}}
URL_INTEGER = {"type": "integer", "minimum": 0, "maximum": MAX_URL_INTEGER}
VERSION = {"in": "path", "name": "version", "required": True, "schema": URL_INTEGER}
INSTANCE_ID = {"in": "path", "name": "instance_id", "required": True, "schema": URL_INTEGER}
SCHEMAS = (model_schemas.ProcessList, model_schemas.ProcessDetail, model_schemas.ModelSource,
           model_schemas.ModelReport, model_schemas.Deployed, model_schemas.ProjectDiagram,
           model_schemas.MigrationRequest, model_schemas.MigrationList, model_schemas.MigrationQuery)


def _upload(description: str) -> dict[str, Any]:
    return {"required": True, "description": description, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["bpmn"],
        "properties": {"bpmn": {"type": "string", "format": "binary", "description": "The .bpmn file."}},
        "additionalProperties": {"type": "string", "format": "binary",
                                 "description": "One part per form file, named by its file name (e.g. declare.json)."},
    }}}}


def model_paths(op: Callable[..., dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Return the paths of this part of the API, built with openapi.py's operation helper."""
    deploy = op("Deploy a diagram and its forms as the next version (process owners)", 201, "Deployed",
                (400, 403, 413), requestBody=_upload("The diagram and its forms."))
    deploy["responses"]["200"] = {"description": "This content was deployed before; its version.",
                                  "content": {"application/json": {"schema": "Deployed"}}}
    deploy["responses"]["422"] = {"description": "The diagram has problems; the report lists them.",
                                  "content": {"application/json": {"schema": "ModelReport"}}}
    return {
        "/api/v1/process-models": {
            "get": op("Every deployed process (process owners, supervisors, administrators)", 200, "ProcessList",
                      (403,)),
            "post": deploy,
        },
        "/api/v1/process-models/validate": {"post": op(
            "The validation report of a diagram and its forms (nothing is stored)", 200, "ModelReport",
            (400, 403, 413), requestBody=_upload("The diagram and its forms."))},
        "/api/v1/process-models/{process_id}": {"get": op(
            "A process with its versions, who deployed each and how many instances run on it", 200,
            "ProcessDetail", (403, 404), parameters=[PROCESS_ID])},
        "/api/v1/process-models/{process_id}/versions/{version}": {"get": op(
            "The diagram and forms of one version", 200, "ModelSource", (403, 404),
            parameters=[PROCESS_ID, VERSION])},
        "/api/v1/process-models/{process_id}/migrations": {
            "get": op("Preview: can each running project on an older version move to `to`, and why not", 200,
                      "MigrationList", (400, 403, 404),
                      parameters=[PROCESS_ID, {"in": "query", "schema": "MigrationQuery"}]),
            "post": op("Move every running project that can move to `to` (process owners); one report line each",
                       200, "MigrationList", (400, 403, 404, 413, 415), body="MigrationRequest",
                       parameters=[PROCESS_ID]),
        },
        "/api/v1/projects/{instance_id}/diagram": {"get": op(
            "A project's diagram (the version it runs on) with its state, path and who completed what when",
            200, "ProjectDiagram", (404,), parameters=[INSTANCE_ID])},
    }
