"""Downloads: only for those who may see the project, as attachments under their original names."""
from __future__ import annotations

from urllib.parse import quote

from services.context import Services
from services.files import store_file
from services.users import load_actor
from tests import support
from tests.services.journey import PDF, Journey
from tests.web.site import Site


def test_a_document_downloads_as_an_attachment_with_its_chinese_name(site: Site, journey: Journey) -> None:
    journey.do("health_user", "declare", support.declare(journey.sha))
    response = site.user("bdc_reviewer").get(f"/files/{journey.sha}")
    assert response.status_code == 200
    assert response.data == PDF
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('可研报告.pdf')}" in disposition
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_document_of_another_organisations_project_answers_404(site: Site, journey: Journey) -> None:
    journey.to_plan("bank-icbc")
    url = f"/files/{journey.sha}"
    assert site.user("icbc_user").get(url).status_code == 200
    assert site.user("abc_user").get(url).status_code == 404
    assert site.user("transport_user").get(url).status_code == 404


def test_unknown_or_malformed_files_answer_404(site: Site) -> None:
    user = site.user("health_user")
    assert user.get("/files/" + "0" * 64).status_code == 404
    assert user.get("/files/not-a-hash").status_code == 404


def test_the_uploader_may_download_an_upload_not_yet_linked_to_a_project(site: Site, services: Services) -> None:
    sha = store_file(services, load_actor(services, "trcb_user"), "发票.pdf", PDF)["sha256"]
    assert site.user("trcb_user").get(f"/files/{sha}").status_code == 200
    assert site.user("abc_user").get(f"/files/{sha}").status_code == 404


def test_a_file_of_another_organisation_cannot_be_slipped_into_a_form(site: Site, services: Services,
                                                                      journey: Journey) -> None:
    foreign = store_file(services, load_actor(services, "transport_user"), "别人的.pdf", PDF + b"%x")["sha256"]
    url = f"/tasks/{journey.task_id('declare')}"
    data = {k: v for k, v in support.declare(foreign).items() if k != "budget_lines"}
    response = site.user("health_user").post(url, data, token_from=url)
    assert response.status_code == 422 and "请上传文件" in response.get_data(as_text=True)
    assert journey.open_names() == ["declare"]
