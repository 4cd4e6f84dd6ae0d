"""Issued documents on the web: the project page, the API list and download, and verification (page and API)."""
from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from openapi_schema_validator import OAS30Validator

from documents.signing import KEY_ENV
from services import rate_limit
from services.context import Services
from services.official import keys
from services.official.verification import MAX_VERIFY_BYTES
from tests.services.journey import Journey, use_version_1
from tests.web.api.helpers import Api
from tests.web.site import Site, text_of, token_in


@pytest.fixture
def planned(services: Services, monkeypatch: pytest.MonkeyPatch) -> Journey:
    """A project on version 1 (its own plan steps) whose fund use plan table was issued and sealed by the demo CA.

    The per-bank plan's own document comes with the plan pages; instances on version 1 keep this one.
    """
    monkeypatch.delenv(KEY_ENV, raising=False)
    keys.ensure_demo_ca(services)
    use_version_1(services)
    return Journey(services).to_plan()


def _conforms(app: Flask, schema: str, body: Any) -> None:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    OAS30Validator({"components": document["components"], "$ref": f"#/components/schemas/{schema}"}).validate(body)


def _listed(api: Api, journey: Journey, user: str) -> Any:
    return api.get(f"/api/v1/projects/{journey.instance_id}/documents", user)


def test_the_api_lists_and_sends_documents_to_those_who_see_the_project(app: Flask, planned: Journey) -> None:
    api = Api(app.test_client())
    listed = _listed(api, planned, "icbc_user")
    assert listed.status_code == 200
    [doc] = listed.get_json()
    _conforms(app, "IssuedDocument", doc)
    assert (doc["kind"], doc["version"], doc["signed"], doc["project_id"]) == ("fund_plan", 1, True,
                                                                               planned.instance_id)
    assert doc["url"] == f"/api/v1/projects/{planned.instance_id}/documents/{doc['id']}"
    sent = api.get(doc["url"], "icbc_user")
    assert sent.status_code == 200 and sent.mimetype == "application/pdf"
    assert sent.data.startswith(b"%PDF") and len(doc["sha256"]) == 64
    for user in ("abc_user", "transport_user"):
        assert _listed(api, planned, user).status_code == 404
        assert api.get(doc["url"], user).status_code == 404
    assert _listed(api, planned, None).status_code == 401
    assert api.get("/api/v1/projects/999999/documents", "hrss_clerk").status_code == 404


def _verify(app: Flask, content: bytes | None, **data: Any) -> Any:
    if content is not None:
        data["file"] = (io.BytesIO(content), "copy.pdf")
    return app.test_client().post("/api/v1/documents/verify", data=data, content_type="multipart/form-data")


def test_anyone_verifies_a_copy_through_the_api(app: Flask, planned: Journey) -> None:
    api = Api(app.test_client())
    doc = _listed(api, planned, "hrss_clerk").get_json()[0]
    pdf = api.get(doc["url"], "hrss_clerk").data
    answer = _verify(app, pdf)
    assert answer.status_code == 200
    _conforms(app, "DocumentVerification", answer.get_json())
    assert answer.get_json() | {"issued_at": None} == {
        "valid": True, "code": "ok", "kind": "fund_plan", "project_id": planned.instance_id, "version": 1,
        "document_id": doc["id"], "issued_at": None, "reason": answer.get_json()["reason"]}
    altered = bytearray(pdf)
    altered[len(pdf) // 2] ^= 0x01
    refused = _verify(app, bytes(altered)).get_json()
    assert refused["valid"] is False and refused["kind"] is None and refused["reason"]
    _conforms(app, "DocumentVerification", refused)
    assert _verify(app, None).status_code == 400
    bad = _verify(app, b"not a pdf")
    assert bad.status_code == 422 and "file" in bad.get_json()["errors"]
    assert _verify(app, b"%PDF-" + b"0" * (MAX_VERIFY_BYTES + 100 * 1024)).status_code == 413


def test_the_project_page_lists_the_documents_with_download_links(site: Site, planned: Journey) -> None:
    page = site.user("icbc_user").get(f"/projects/{planned.instance_id}")
    body = page.get_data(as_text=True)
    assert "资金使用计划表" in text_of(page)
    doc_url = body.split(f'href="/projects/{planned.instance_id}/documents/')[1].split('"')[0]
    sent = site.user("icbc_user").get(f"/projects/{planned.instance_id}/documents/{doc_url}")
    assert sent.status_code == 200 and sent.data.startswith(b"%PDF")
    assert site.user("abc_user").get(f"/projects/{planned.instance_id}/documents/{doc_url}").status_code == 404


def test_the_verification_page_is_public_and_judges_an_upload(site: Site, planned: Journey) -> None:
    pdf = site.user("hrss_clerk").get(f"/projects/{planned.instance_id}").get_data(as_text=True)
    doc_id = pdf.split(f'href="/projects/{planned.instance_id}/documents/')[1].split('"')[0]
    copy = site.user("hrss_clerk").get(f"/projects/{planned.instance_id}/documents/{doc_id}").data
    browser = site.anonymous()
    named = browser.get(f"/verify?id={doc_id}")
    assert named.status_code == 200 and f"#{planned.instance_id}" in text_of(named)
    token = token_in(named.get_data(as_text=True))
    judged = browser.post("/verify", data={"csrf_token": token, "id": doc_id,
                                           "file": (io.BytesIO(copy), "copy.pdf")})
    assert judged.status_code == 200 and "✔" in text_of(judged)
    altered = copy + b"\n%%EOF\n"
    judged = browser.post("/verify", data={"csrf_token": token, "file": (io.BytesIO(altered), "copy.pdf")})
    assert "✘" in text_of(judged)
    empty = browser.post("/verify", data={"csrf_token": token})
    assert empty.status_code == 422 and "field-error" in empty.get_data(as_text=True)
    assert browser.post("/verify", data={"file": (io.BytesIO(copy), "copy.pdf")}).status_code == 400  # no CSRF


def test_money_fields_carry_the_capitals_hook(site: Site) -> None:
    page = site.user("health_user").get("/projects/new")
    assert "data-money" in page.get_data(as_text=True) and "rmb.js" in page.get_data(as_text=True)


def test_an_administrator_reissues_from_the_project_page(site: Site, planned: Journey) -> None:
    url = f"/projects/{planned.instance_id}"
    assert "/documents/reissue" not in site.user("hrss_head").get(url).get_data(as_text=True)
    admin = site.user("admin")
    done = admin.post(f"{url}/documents/reissue", {"kind": "fund_plan", "reason": "更正"}, token_from=url)
    assert done.status_code == 302
    page = admin.get(url)
    assert "第2版" in text_of(page) and "第1版" in text_of(page)
    refused = admin.post(f"{url}/documents/reissue", {"kind": "fund_plan", "reason": ""}, token_from=url)
    assert refused.status_code == 302 and text_of(admin.get(url)).count("第") >= 2
    assert site.user("hrss_head").post(f"{url}/documents/reissue", {"kind": "fund_plan", "reason": "x"},
                                       token_from=url).status_code == 403


def test_the_audit_log_filters_and_names_issued_documents(site: Site, planned: Journey) -> None:
    page = site.user("supervisor").get("/audit/?event=document_issued")
    assert '<option value="document_issued" selected' in page.get_data(as_text=True)
    assert "出具正式文书" in text_of(page) and "资金使用计划表（附件1），第1版" in text_of(page)
    assert "sha256" not in text_of(page)


def test_one_address_may_verify_twenty_copies_a_minute(site: Site, app: Flask) -> None:
    browser = site.anonymous()
    token = token_in(browser.get("/verify").get_data(as_text=True))
    answers = [browser.post("/verify", data={"csrf_token": token}).status_code for _ in range(rate_limit.VERIFY.hits)]
    assert answers == [422] * rate_limit.VERIFY.hits
    refused = browser.post("/verify", data={"csrf_token": token})
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    assert "校验次数过多" in text_of(refused)
    api = app.test_client().post("/api/v1/documents/verify", data={}, content_type="multipart/form-data")
    assert api.status_code == 429 and api.headers["Retry-After"] == "60"
    other = app.test_client().post("/api/v1/documents/verify", data={}, content_type="multipart/form-data",
                                   environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 400
