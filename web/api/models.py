"""Process models: list, versions, validate, deploy, migrate running projects; a project's diagram."""
from __future__ import annotations

from flask import Response, request

from services.errors import ValidationError
from services.modeling.catalog import list_processes, model_source, process_versions
from services.modeling.deploy import check_model, deploy_model, form_files
from services.modeling.diagram import project_diagram
from services.modeling.migration import migrate_instances, preview_migration
from services.modeling.validation import ModelRejected
from web.api.blueprint import bp
from web.api.http import ApiError, actor, json_body, json_response, query_args, reply
from web.api.model_schemas import (
    Deployed, MigrationList, MigrationQuery, MigrationRequest, ModelReport, ModelSource, ProcessDetail, ProcessList,
    ProjectDiagram,
)
from web.app import services

PROCESS_LIST, PROCESS_DETAIL, MODEL_SOURCE = ProcessList(), ProcessDetail(), ModelSource()
MODEL_REPORT, DEPLOYED, PROJECT_DIAGRAM = ModelReport(), Deployed(), ProjectDiagram()
MIGRATION_QUERY, MIGRATION_REQUEST, MIGRATION_LIST = MigrationQuery(), MigrationRequest(), MigrationList()


def _upload() -> tuple[bytes, dict[str, bytes], str]:
    """Return the uploaded diagram, its forms and its file name; a malformed upload is a 400 naming the part."""
    part = request.files.get("bpmn")
    if part is None:
        raise ApiError(400, "Send the diagram as the multipart/form-data part `bpmn`.", {"bpmn": "Upload a file."})
    forms = {(p.filename or name).rsplit("/", 1)[-1]: p.read()
             for name, p in request.files.items(multi=True) if name != "bpmn"}
    try:
        files = form_files(forms)
    except ValidationError as exc:
        raise ApiError(400, exc.message, {"forms": exc.message}) from exc
    # An empty diagram is a diagram with a problem: the report says so (200 to validate, 422 to deploy).
    return part.read(), files, part.filename or "diagram.bpmn"


@bp.get("/process-models")
def list_models() -> Response:
    """Answer every deployed process with its newest version (process owners, supervisors, admins)."""
    return reply(PROCESS_LIST, {"items": list_processes(services(), actor())})


@bp.get("/process-models/<process_id>")
def show_model(process_id: str) -> Response:
    """Answer a process with its versions: number, hash, who deployed it, how many instances run on it."""
    return reply(PROCESS_DETAIL, process_versions(services(), actor(), process_id))


@bp.get("/process-models/<process_id>/versions/<int:version>")
def show_model_version(process_id: str, version: int) -> Response:
    """Answer the diagram and forms of one version."""
    return reply(MODEL_SOURCE, model_source(services(), actor(), process_id, version))


@bp.post("/process-models/validate")
def validate_model() -> Response:
    """Answer the validation report of an uploaded diagram and its forms."""
    bpmn, forms, _name = _upload()
    return reply(MODEL_REPORT, check_model(actor(), bpmn, forms).as_dict())


@bp.post("/process-models")
def deploy_process_model() -> Response:
    """Deploy an uploaded diagram as a new version; 422 with the report when it has problems."""
    bpmn, forms, name = _upload()
    try:
        deployed = deploy_model(services(), actor(), bpmn, forms, name)
    except ModelRejected as exc:
        body = {**exc.report.as_dict(), "message": "The diagram has problems and was not deployed.",
                "errors": {}, "details": [{"path": p.element or "", "code": p.rule, "message": p.message}
                                          for p in exc.report.problems]}
        return json_response(body, 422)
    return reply(DEPLOYED, deployed, 201 if deployed["created"] else 200)


@bp.get("/projects/<int:instance_id>/diagram")
def show_project_diagram(instance_id: int) -> Response:
    """Answer a project's diagram with its state on each element, its path and who did what when."""
    return reply(PROJECT_DIAGRAM, project_diagram(services(), actor(), instance_id))


@bp.get("/process-models/<process_id>/migrations")
def preview_model_migration(process_id: str) -> Response:
    """Answer, per running project on an older version, whether it can move to version `to` and why not."""
    args = query_args(MIGRATION_QUERY)
    return reply(MIGRATION_LIST, {"items": preview_migration(services(), actor(), process_id, args["to"])})


@bp.post("/process-models/<process_id>/migrations")
def run_model_migration(process_id: str) -> Response:
    """Move every running project that can move to version `to`, each in its own transaction."""
    body = json_body(MIGRATION_REQUEST)
    results = migrate_instances(services(), actor(), process_id, body["to"], dry_run=body["dry_run"])
    return reply(MIGRATION_LIST, {"items": results})
