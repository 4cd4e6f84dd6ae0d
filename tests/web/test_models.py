"""The process owners' pages: models, versions, downloads, modeler endpoints, upload, migration; and who may."""
from __future__ import annotations

import io
import json

import pytest

from services.context import Services
from tests import diagrams, support
from tests.services.journey import Journey
from tests.web.site import Site, text_of

OWNER = "process_owner"


def csrf(site: Site, user: str) -> dict[str, str]:
    return {"X-CSRFToken": site.user(user).token("/projects/")}


def post_json(site: Site, user: str, url: str, body: object) -> object:
    return site.user(user).client.post(url, data=json.dumps(body), content_type="application/json",
                                       headers=csrf(site, user))


def edited(bpmn: bytes, forms: dict[str, bytes]) -> dict[str, object]:
    return {"bpmn": bpmn.decode(), "forms": {k: v.decode() for k, v in forms.items()}, "filename": "fund_project.bpmn"}


def test_the_process_owner_lands_on_the_models_and_sees_versions_and_downloads(site: Site) -> None:
    owner = site.user(OWNER)
    assert owner.get("/").headers["Location"].endswith("/models/")
    page = text_of(owner.get("/models/"))
    assert "流程模型" in page and "一卡通合作金融资金项目" in page and "fund_project" in page
    detail = owner.get("/models/fund_project")
    assert detail.status_code == 200
    body = detail.get_data(as_text=True)
    assert 'data-source="/models/fund_project/1/source.json"' in body and "dist/viewer.js" in body
    assert "系统（随附的流程图）" in text_of(detail) or "System" in text_of(detail)
    bpmn = owner.get("/models/fund_project/1/diagram.bpmn")
    assert bpmn.status_code == 200 and b'id="fund_project"' in bpmn.data
    assert "attachment" in bpmn.headers["Content-Disposition"]
    form = owner.get("/models/fund_project/1/forms/review.json")
    assert json.loads(form.data)["type"] == "object"
    assert owner.get("/models/fund_project/1/forms/nothing.json").status_code == 404
    source = owner.get("/models/fund_project/1/source.json").get_json()
    assert source["version"] == 1 and "review.json" in source["forms"]


@pytest.mark.parametrize("user", ["supervisor", "admin"])
def test_supervisors_and_administrators_read_models_but_may_not_change_them(site: Site, user: str) -> None:
    reader = site.user(user)
    assert reader.get("/models/").status_code == 200
    assert reader.get("/models/fund_project").status_code == 200
    assert reader.get("/models/fund_project/migrate").status_code == 200
    assert reader.get("/models/fund_project/1/edit").status_code == 403
    assert reader.get("/models/upload").status_code == 403
    bpmn, forms = diagrams.with_publication()
    assert post_json(site, user, "/models/deploy.json", edited(bpmn, forms)).status_code == 403
    assert reader.post("/models/fund_project/migrate", {"to": "1"}, token_from="/projects/").status_code == 403


@pytest.mark.parametrize("user", ["icbc_user", "health_user", "bdc_reviewer", "hrss_clerk"])
def test_role_users_are_refused_from_every_model_page(site: Site, user: str) -> None:
    person = site.user(user)
    for url in ("/models/", "/models/fund_project", "/models/fund_project/1/source.json",
                "/models/fund_project/1/diagram.bpmn", "/models/fund_project/1/edit", "/models/fund_project/migrate",
                "/models/upload"):
        assert person.get(url).status_code == 403, url
    assert post_json(site, user, "/models/validate.json", edited(b"<x/>", {})).status_code == 403
    assert post_json(site, user, "/models/form-preview", {"schema": {}}).status_code == 403
    assert "流程模型" not in text_of(person.get("/projects/"))


def test_the_modeler_page_carries_its_forms_and_configuration(site: Site) -> None:
    page = site.user(OWNER).get("/models/fund_project/1/edit")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "dist/modeler.js" in body and 'data-form-name="declare.json"' in body
    assert "&#34;validate&#34;: &#34;/models/validate.json&#34;" in body.replace('":"', '": "') or \
        "/models/validate.json" in body
    assert "<script>" not in body


def test_validate_and_deploy_from_the_modeler_report_problems_then_deploy(site: Site) -> None:
    bpmn, forms = diagrams.with_publication()
    broken = dict(forms)
    del broken["plan_publish.json"]
    report = post_json(site, OWNER, "/models/validate.json", edited(bpmn, broken))
    assert report.status_code == 200
    assert report.get_json() == {"ok": False, "problems": [{
        "element": "plan_publish", "line": report.get_json()["problems"][0]["line"], "rule": "form-missing",
        "message": "用户任务“计划公示”使用的表单 plan_publish.json 不存在"}]}
    refused = post_json(site, OWNER, "/models/deploy.json", edited(bpmn, broken))
    assert refused.status_code == 422 and refused.get_json()["ok"] is False
    deployed = post_json(site, OWNER, "/models/deploy.json", edited(bpmn, forms))
    assert deployed.status_code == 201 and deployed.get_json()["version"] == 2
    page = site.user(OWNER).get(deployed.get_json()["url"])
    assert "版本 2" in text_of(page) or "2" in text_of(page)
    assert "周明（流程管理员）" in text_of(page)


def test_posting_to_the_modeler_without_the_csrf_token_is_refused(site: Site) -> None:
    response = site.user(OWNER).client.post("/models/validate.json", data="{}", content_type="application/json")
    assert response.status_code == 400


def test_the_form_preview_is_the_task_pages_form(site: Site) -> None:
    schema = json.loads(support.read_forms()["review.json"])
    html = post_json(site, OWNER, "/models/form-preview", {"name": "review.json", "schema": schema})
    body = html.get_data(as_text=True)
    assert html.status_code == 200 and 'name="review_decision"' in body and 'name="approved_budget"' in body
    assert "money-input" in body and "field-error" not in body
    bad = post_json(site, OWNER, "/models/form-preview", {"name": "x.json", "schema": {
        "type": "object", "properties": {"a": {"$ref": "http://example.org/a.json"}}}})
    assert 'data-rule="form-ref"' in bad.get_data(as_text=True)
    banks = post_json(site, OWNER, "/models/form-preview", {"schema": json.loads(support.read_forms()["plan_prepare.json"])})
    assert "中国工商银行太仓分行" in banks.get_data(as_text=True)


def test_uploading_a_diagram_shows_its_report_and_deploys_it_when_clean(site: Site) -> None:
    owner = site.user(OWNER)
    bpmn, forms = diagrams.with_publication()

    def upload(action: str, form_files: dict[str, bytes]) -> object:
        data = {"action": action, "bpmn": (io.BytesIO(bpmn), "fund_project.bpmn"),
                "forms": [(io.BytesIO(v), k) for k, v in form_files.items()]}
        return owner.post("/models/upload", data, token_from="/models/upload", content_type="multipart/form-data")

    missing = {k: v for k, v in forms.items() if k != "plan_publish.json"}
    checked = upload("check", missing)
    assert checked.status_code == 200 and 'data-rule="form-missing"' in checked.get_data(as_text=True)
    assert upload("deploy", missing).status_code == 422
    done = upload("deploy", forms)
    assert done.status_code == 302 and done.headers["Location"].endswith("/models/fund_project")
    assert "fund_project 的第 2 版已部署" in text_of(owner.get("/models/fund_project"))


def test_the_migration_page_previews_then_moves_the_projects_that_can_move(site: Site, services: Services) -> None:
    journey = Journey(services)
    journey.do("health_user", "declare", support.declare(journey.sha))
    bpmn, forms = diagrams.with_publication()
    assert post_json(site, OWNER, "/models/deploy.json", edited(bpmn, forms)).status_code == 201
    owner = site.user(OWNER)
    preview = owner.get("/models/fund_project/migrate")
    assert f'data-instance="{journey.instance_id}" data-ok="true"' in preview.get_data(as_text=True)
    done = owner.post("/models/fund_project/migrate", {"to": "2"}, token_from="/models/fund_project/migrate")
    assert done.status_code == 200 and "已迁移" in text_of(done)
    assert journey.show()["model_version"] == 2
    history = text_of(site.user("health_user").get(f"/projects/{journey.instance_id}"))
    assert "迁移到新版本流程" in history


def test_a_project_page_draws_its_diagram_from_its_own_json(site: Site, services: Services) -> None:
    journey = Journey(services)
    journey.do("health_user", "declare", support.declare(journey.sha))
    page = site.user("health_user").get(f"/projects/{journey.instance_id}")
    assert f'data-source="/projects/{journey.instance_id}/diagram.json"' in page.get_data(as_text=True)
    diagram = site.user("bdc_reviewer").get(f"/projects/{journey.instance_id}/diagram.json").get_json()
    assert diagram["states"]["review"] == "ready" and diagram["states"]["declare"] == "completed"
    assert site.user("transport_user").get(f"/projects/{journey.instance_id}/diagram.json").status_code == 404
