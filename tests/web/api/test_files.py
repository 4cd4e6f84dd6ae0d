"""Files for form fields: upload, checked by content, and downloaded only by those who may see them."""
from __future__ import annotations

import io

from tests.web.api.helpers import PDF, Api


def test_an_uploaded_file_is_named_by_its_sha256_and_downloadable_by_its_uploader(api: Api) -> None:
    response = api.upload("health_user", PDF)
    assert response.status_code == 201
    stored = response.get_json()
    assert stored["size"] == len(PDF) and stored["content_type"] == "application/pdf"
    download = api.get(f"/api/v1/files/{stored['sha256']}", "health_user")
    assert download.status_code == 200 and download.data == PDF


def test_a_file_of_a_project_is_downloadable_only_by_those_who_see_the_project(api: Api) -> None:
    sha = api.upload("health_user", PDF).get_json()["sha256"]
    api.declare(sha)
    assert api.get(f"/api/v1/files/{sha}", "bdc_reviewer").status_code == 200
    hidden = api.get(f"/api/v1/files/{sha}", "transport_user")
    assert hidden.status_code == 404 and hidden.is_json
    assert api.get(f"/api/v1/files/{'0' * 64}", "health_user").status_code == 404


def test_a_file_of_a_kind_not_allowed_is_422(api: Api) -> None:
    response = api.upload("health_user", b"#!/bin/sh\nrm -rf /\n", "run.sh")
    assert response.status_code == 422 and response.get_json()["message"]


def test_an_upload_without_its_file_part_is_400(api: Api) -> None:
    assert api.post("/api/v1/files", "health_user", data={"other": "x"}).status_code == 400
    assert api.post("/api/v1/files", "health_user", {"file": "x"}).status_code == 400
    assert api.post("/api/v1/files", None, data={"file": (io.BytesIO(PDF), "r.pdf")}).status_code == 401


def test_the_api_keeps_its_body_limit_for_uploads(api: Api) -> None:
    big = api.upload("health_user", PDF + b"%" * (22 * 1024 * 1024))
    assert big.status_code == 413 and big.is_json
    just_over = api.upload("health_user", PDF + b"%" * (20 * 1024 * 1024))
    assert just_over.status_code == 422 and "20 MiB" in just_over.get_json()["message"]
