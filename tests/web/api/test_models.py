"""/api/v1 for process models: list, versions, validate, deploy, migrate; a project's diagram; who may."""
from __future__ import annotations

import io
from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator

from tests import diagrams
from tests.web.api.helpers import Api

OWNER = "process_owner"


def upload(api: Api, path: str, user: str, bpmn: bytes, forms: dict[str, bytes]) -> Any:
    data: dict[str, Any] = {"bpmn": (io.BytesIO(bpmn), "fund_project.bpmn")}
    for name, body in forms.items():
        data[name] = (io.BytesIO(body), name)
    return api.post(path, user, data=data, content_type="multipart/form-data")


def conforms(api: Api, schema: str, body: Any) -> None:
    document = api.client.get("/api/v1/openapi.json").get_json()
    OAS30Validator({"components": document["components"], "$ref": f"#/components/schemas/{schema}"}).validate(body)


def test_process_owners_list_models_and_versions(api: Api) -> None:
    listed = api.get("/api/v1/process-models", OWNER)
    assert listed.status_code == 200
    assert [(p["process_id"], p["latest_version"]) for p in listed.get_json()["items"]] == [
        ("allocation", 1), ("fund_plan", 1), ("fund_project", 1), ("reconciliation", 1)]
    conforms(api, "ProcessList", listed.get_json())
    detail = api.get("/api/v1/process-models/fund_project", "supervisor").get_json()
    assert detail["versions"][0]["version"] == 1 and len(detail["versions"][0]["hash"]) == 64
    conforms(api, "ProcessDetail", detail)
    source = api.get("/api/v1/process-models/fund_project/versions/1", "admin").get_json()
    assert 'id="fund_project"' in source["bpmn"] and "declare.json" in source["forms"]
    assert api.get("/api/v1/process-models/nothing", OWNER).status_code == 404


@pytest.mark.parametrize("user", ["icbc_user", "health_user", "bdc_reviewer"])
def test_role_users_are_refused(api: Api, user: str) -> None:
    assert api.get("/api/v1/process-models", user).status_code == 403
    assert api.get("/api/v1/process-models/fund_project", user).status_code == 403
    bpmn, forms = diagrams.with_publication()
    assert upload(api, "/api/v1/process-models", user, bpmn, forms).status_code == 403
    assert api.get("/api/v1/process-models/fund_project/migrations", user, to=1).status_code == 403


def test_validate_reports_every_problem_and_deploy_refuses_with_422(api: Api) -> None:
    bpmn, forms = diagrams.with_publication()
    broken = bpmn.replace(b'name="hrss"', b'name="treasury"')
    del forms["plan_publish.json"]
    report = upload(api, "/api/v1/process-models/validate", "supervisor", broken, forms)
    assert report.status_code == 200
    body = report.get_json()
    assert body["ok"] is False
    assert {(p["rule"], p["element"]) for p in body["problems"]} == {("lane-role", "Lane_hrss"),
                                                                      ("form-missing", "plan_publish")}
    conforms(api, "ModelReport", body)
    refused = upload(api, "/api/v1/process-models", OWNER, broken, forms)
    assert refused.status_code == 422 and len(refused.get_json()["problems"]) == 2
    conforms(api, "ModelReport", refused.get_json())
    assert api.get("/api/v1/process-models/fund_project", OWNER).get_json()["latest_version"] == 1


def test_a_clean_diagram_is_deployed_by_its_owner_only(api: Api) -> None:
    bpmn, forms = diagrams.with_publication()
    assert upload(api, "/api/v1/process-models", "supervisor", bpmn, forms).status_code == 403
    deployed = upload(api, "/api/v1/process-models", OWNER, bpmn, forms)
    assert deployed.status_code == 201
    assert deployed.get_json()["version"] == 2 and deployed.get_json()["created"] is True
    conforms(api, "Deployed", deployed.get_json())
    again = upload(api, "/api/v1/process-models", OWNER, bpmn, forms)
    assert again.status_code == 200 and again.get_json()["created"] is False


def test_without_the_bpmn_part_the_request_is_malformed(api: Api) -> None:
    response = api.post("/api/v1/process-models/validate", OWNER, data={"x.json": (io.BytesIO(b"{}"), "x.json")},
                        content_type="multipart/form-data")
    assert response.status_code == 400 and "bpmn" in response.get_json()["errors"]


def test_migration_preview_and_run(api: Api, sha: str) -> None:
    started = api.declare(sha)
    bpmn, forms = diagrams.with_publication()
    assert upload(api, "/api/v1/process-models", OWNER, bpmn, forms).status_code == 201
    preview = api.get("/api/v1/process-models/fund_project/migrations", "supervisor", to=2)
    assert preview.status_code == 200
    [item] = preview.get_json()["items"]
    assert (item["instance_id"], item["from"], item["to"], item["ok"]) == (started["instance_id"], 1, 2, True)
    conforms(api, "MigrationList", preview.get_json())
    assert api.post("/api/v1/process-models/fund_project/migrations", "supervisor", {"to": 2}).status_code == 403
    assert api.post("/api/v1/process-models/fund_project/migrations", OWNER, {"to": "x"}).status_code == 400
    moved = api.post("/api/v1/process-models/fund_project/migrations", OWNER, {"to": 2})
    assert moved.status_code == 200 and moved.get_json()["items"][0]["ok"] is True
    shown = api.get(f"/api/v1/projects/{started['instance_id']}", "health_user").get_json()
    assert shown["model_version"] == 2
    assert api.get("/api/v1/process-models/fund_project/migrations", OWNER, to=2).get_json()["items"] == []


def test_a_project_diagram_is_seen_by_whoever_sees_the_project(api: Api, sha: str) -> None:
    started = api.declare(sha)
    path = f"/api/v1/projects/{started['instance_id']}/diagram"
    diagram = api.get(path, "health_user")
    assert diagram.status_code == 200
    body = diagram.get_json()
    assert (body["version"], body["states"]["review"], body["states"]["declare"]) == (1, "ready", "completed")
    assert "flow_declare_review" in body["path"] and body["details"]["declare"][0]["username"] == "health_user"
    conforms(api, "ProjectDiagram", body)
    assert api.get(path, "supervisor").status_code == 200
    assert api.get(path, "transport_user").status_code == 404
    assert api.get(path, "icbc_user").status_code == 404
    assert api.get(path, None).status_code == 401


def test_an_empty_diagram_is_reported_and_a_badly_named_form_part_is_a_400(api: Api) -> None:
    checked = upload(api, "/api/v1/process-models/validate", OWNER, b"", {})
    assert checked.status_code == 200 and checked.get_json()["ok"] is False
    conforms(api, "ModelReport", checked.get_json())
    refused = upload(api, "/api/v1/process-models", OWNER, b"", {})
    assert refused.status_code == 422 and refused.get_json()["problems"]
    conforms(api, "ModelReport", refused.get_json())
    named = upload(api, "/api/v1/process-models/validate", OWNER, b"<x/>", {"../evil.txt": b"{}"})
    assert named.status_code == 400 and set(named.get_json()["errors"]) == {"forms"}
    conforms(api, "Error", named.get_json())
