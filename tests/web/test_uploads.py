"""Uploads over the limit: a message on the file field, everything else typed kept, the user still signed in."""
from __future__ import annotations

import io
import re
from typing import Any

from flask import Flask

from services.context import Services
from services.files import MAX_FILE_BYTES
from services.instances import show_instance
from services.projects import list_projects
from services.users import load_actor
from tests import support
from tests.services.journey import Journey
from tests.web.site import PDF, Site, posted, text_of

TOO_LARGE = "文件不能超过 20 MiB"


def _big_pdf(size: int) -> io.BytesIO:
    return io.BytesIO(PDF + b"%" * (size - len(PDF)))


def _field_error(page: str, name: str) -> str:
    found = re.search(rf'<p class="field-error" id="err-{name}">([^<]*)</p>', page)
    return found.group(1) if found else ""


def _signed_in_as(text: str, name: str) -> bool:
    return name in text and "退出" in text and "登录" not in text


def test_a_file_over_20_mib_on_a_new_declaration_is_a_field_error_and_the_rest_is_kept(
        site: Site, services: Services) -> None:
    user = site.user("health_user")
    data: dict[str, Any] = posted({k: v for k, v in support.declare().items() if k != "feasibility_report"})
    data["feasibility_report"] = (_big_pdf(MAX_FILE_BYTES + 1), "可行性研究报告.pdf")
    response = user.post("/projects/new", data, token_from="/projects/new", content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert TOO_LARGE in _field_error(page, "feasibility_report")
    assert 'name="project_name" value="社保卡乘车码应用"' in page and 'value="0512-53512345"' in page
    assert 'name="budget_lines-1-line_item" value="闸机读卡模块"' in page
    assert _signed_in_as(text_of(response), "刘洋（卫健委）")
    assert list_projects(services, load_actor(services, "hrss_clerk"))["total"] == 0


def test_a_file_larger_than_the_old_body_limit_on_a_task_form_keeps_the_rest(site: Site, journey: Journey) -> None:
    journey.do("health_user", "declare", support.declare(journey.sha))
    url = f"/tasks/{journey.task_id('review')}"
    data: dict[str, Any] = posted({k: v for k, v in support.review(sha=journey.sha).items() if k != "review_report"})
    data["review_opinion"] = "可行，同意立项。附件过大请重传。"
    data["review_report"] = (_big_pdf(25 * 1024 * 1024), "评审报告.pdf")
    response = site.user("bdc_reviewer").post(url, data, token_from=url, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert TOO_LARGE in _field_error(page, "review_report")
    assert "可行，同意立项。附件过大请重传。" in page and 'name="approved_budget" value="1150000.00"' in page
    assert _signed_in_as(text_of(response), "陈静（综指中心）")
    assert [t["name"] for t in journey.show()["open_tasks"]] == ["review"]


def test_a_body_over_the_page_limit_answers_413_to_the_signed_in_user(app: Flask, site: Site,
                                                                      services: Services) -> None:
    app.config["MAX_PAGE_BODY_LENGTH"] = 4096
    user = site.user("health_user")
    response = user.client.post("/projects/new", content_type="multipart/form-data",
                                data={"csrf_token": user.token(), "file": (io.BytesIO(b"x" * 8192), "big.pdf")})
    assert response.status_code == 413
    text = text_of(response)
    assert "上传的文件过大" in text and _signed_in_as(text, "刘洋（卫健委）")


def test_an_expired_form_answers_400_to_the_signed_in_user(site: Site, journey: Journey) -> None:
    user = site.user("health_user")
    response = user.client.post(f"/projects/{journey.instance_id}/comments", data={"body": "你好"})
    assert response.status_code == 400
    assert _signed_in_as(text_of(response), "刘洋（卫健委）")
    assert show_instance(journey.ctx, None, journey.instance_id)["comments"] == []
