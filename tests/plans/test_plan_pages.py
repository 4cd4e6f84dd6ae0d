"""The plan's task pages show its table in 万元 with 合计, and the plan steps run through /api/v1."""
from __future__ import annotations

import json
import re

from flask.testing import FlaskClient
from sqlalchemy import select

from models.tables import audit_event
from services.context import Services
from services.plans import records
from tests import support
from tests.services.journey import Journey
from tests.web.api.helpers import Api
from tests.web.site import Site, text_of


def test_the_plan_task_page_shows_the_table_in_wan_with_its_total(site: Site, services: Services) -> None:
    first = Journey(services).assigned(plan_amount="820000.00", plan_remarks="一期")
    second = Journey(services).assigned(plan_amount="1234.56")
    clerk = site.user("hrss_clerk")
    url = f"/tasks/{first.plan_task_id('plan_prepare')}"
    page = clerk.get(url)
    assert page.status_code == 200
    text = text_of(page)
    for shown in ("资金使用计划", "2026年第1号", "序号", "项目名称", "预算金额（万元）", "备注", "合计",
                  "82", "0.123456", "82.123456", "一期", "尚未确定"):
        assert shown in text, shown
    html = page.get_data(as_text=True)
    assert html.index("0.123456") < html.index("82.123456") < html.index('action="/tasks/'), "the table stands above the form"
    assert "¥820,000.00" not in text and "82.00" not in text, "万元 are exact, never rounded or padded"
    done = clerk.post(url, {"plan_prepare_note": "第一批"}, token_from=url)
    assert done.status_code == 302
    reviewer = site.user("hrss_reviewer")
    review_url = f"/tasks/{first.plan_task_id('plan_review')}"
    assert "82.123456" in text_of(reviewer.get(review_url))
    sent = clerk.post(review_url, {"plan_review_decision": "approve"}, token_from="/")
    assert sent.status_code == 403 and "填报人不得审核或审签同一计划" in text_of(sent)
    assert second.open_names() == [] and first.open_names() == []


def test_the_plan_steps_are_completed_through_the_api(client: FlaskClient, services: Services) -> None:
    api = Api(client)
    sha = api.upload("health_user").get_json()["sha256"]
    started = api.declare(sha)
    assigned = api.advance(started, sha, "assign_bank")
    response = api.complete(assigned, support.assign_bank("bank-abc"))
    assert response.status_code == 200 and response.get_json()["ready"] == []
    prepare = api.newest_plan_task("plan_prepare", "hrss_clerk")
    assert prepare["lane"] == "hrss"
    review = api.complete(prepare, {}).get_json()["ready"]
    assert [t["name"] for t in review] == ["plan_review"]
    refused = api.complete(review[0], support.decision("plan_review"), user="hrss_clerk")
    assert refused.status_code == 403, "the preparer may not review"
    signoff = api.complete(review[0], support.decision("plan_review")).get_json()["ready"]
    assert [(t["name"], t["lane"]) for t in signoff] == [("plan_signoff", "hrss_head")]
    bank = api.complete(signoff[0], support.decision("plan_signoff")).get_json()["ready"]
    assert [t["name"] for t in bank] == ["bank_confirm"]
    assert api.complete(bank[0], support.SECURE_FUNDS, user="icbc_user").status_code == 404, "another bank's plan"
    done = api.complete(bank[0], support.SECURE_FUNDS, user="abc_user")
    assert done.status_code == 200 and done.get_json()["status"] == "completed"
    project = api.get(f"/api/v1/projects/{started['instance_id']}", "hrss_clerk").get_json()
    assert [t["name"] for t in project["open_tasks"]] == ["procurement"]
    assert project["project"]["plan_amount"] == "1150000.00" and project["bank"] == "bank-abc"


def test_the_banks_plan_step_has_its_own_english_title(site: Site, services: Services) -> None:
    journey = Journey(services).assigned()
    journey.plan_do("hrss_clerk", "plan_prepare", {})
    journey.plan_do("hrss_reviewer", "plan_review", support.decision("plan_review"))
    journey.plan_do("hrss_head", "plan_signoff", support.decision("plan_signoff"))
    inbox = text_of(site.user("icbc_user").get("/?lang=en"))
    assert "Confirm the funds of the fund use plan" in inbox and "Confirm the card count" not in inbox
    assert "合作银行确认资金保障" in text_of(site.user("icbc_user").get("/?lang=zh"))


def _input(html: str, name: str) -> str | None:
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    return found.group(1) if found else None


def test_after_a_send_back_the_plan_form_shows_each_rows_current_remark(site: Site, services: Services) -> None:
    first = Journey(services).assigned(plan_amount="820000.00", plan_remarks="一期")
    second = Journey(services).assigned(plan_amount="1234.56", plan_remarks="")
    first.plan_do("hrss_clerk", "plan_prepare", {"plan_rows": [{"project": first.instance_id,
                                                                "remark": "用于乘车码应用开发"}]})
    first.plan_do("hrss_reviewer", "plan_review", support.decision("plan_review", "send_back", "请补充第2项备注。"))
    clerk = site.user("hrss_clerk")
    url = f"/tasks/{first.plan_task_id('plan_prepare')}"
    html = clerk.get(url).get_data(as_text=True)
    assert "请补充第2项备注。" in html
    assert _input(html, "plan_rows-0-project") == str(first.instance_id)
    assert _input(html, "plan_rows-0-remark") == "用于乘车码应用开发"
    assert _input(html, "plan_rows-1-project") == "", "a row without a remark is not listed: the form needs one"
    done = clerk.post(url, {"plan_rows-0-project": str(first.instance_id), "plan_rows-0-remark": "用于乘车码应用开发",
                            "plan_rows-1-project": str(second.instance_id), "plan_rows-1-remark": "二期"},
                      token_from=url)
    assert done.status_code == 302
    with services.db.read() as conn:
        assert records.items(conn, first.plan_id())[0].remark == "用于乘车码应用开发"
        assert records.items(conn, first.plan_id())[1].remark == "二期"


def test_the_api_task_shows_the_plan_forms_current_remarks(client: FlaskClient, services: Services) -> None:
    journey = Journey(services).assigned(plan_remarks="一期")
    task = Api(client).get(f"/api/v1/tasks/{journey.plan_task_id('plan_prepare')}", "hrss_clerk").get_json()
    assert task["form"]["properties"]["plan_rows"]["default"] == [{"project": journey.instance_id, "remark": "一期"}]


def _completed_rows(services: Services, plan_id: int) -> list[object]:
    with services.db.read() as conn:
        events = conn.execute(select(audit_event.c.data).where(audit_event.c.instance_id == plan_id,
                                                               audit_event.c.event == "task_completed")).scalars()
        return [json.loads(data)["data"].get("plan_rows") for data in events]


def test_a_remark_is_cleared_on_the_plan_form_and_the_plan_then_shows_none(site: Site, services: Services) -> None:
    journey = Journey(services).assigned(plan_amount="820000.00", plan_remarks="一期工程备注")
    clerk = site.user("hrss_clerk")
    url = f"/tasks/{journey.plan_task_id('plan_prepare')}"
    html = clerk.get(url).get_data(as_text=True)
    assert _input(html, "plan_rows-0-remark") == "一期工程备注"
    assert 'data-label="备注 *"' not in html and 'data-label="备注"' in html, "a remark may be left empty"
    done = clerk.post(url, {"plan_rows-0-project": str(journey.instance_id), "plan_rows-0-remark": " "},
                      token_from=url)
    assert done.status_code == 302, text_of(done)
    with services.db.read() as conn:
        assert records.items(conn, journey.plan_id())[0].remark == ""
    assert "一期工程备注" not in text_of(site.user("hrss_head").get(f"/plans/{journey.plan_id()}"))
    assert _completed_rows(services, journey.plan_id()) == [[{"project": journey.instance_id, "remark": ""}]]


def test_a_row_without_its_project_is_still_refused_and_changes_no_remark(site: Site, services: Services) -> None:
    journey = Journey(services).assigned(plan_remarks="一期")
    clerk = site.user("hrss_clerk")
    url = f"/tasks/{journey.plan_task_id('plan_prepare')}"
    refused = clerk.post(url, {"plan_rows-0-project": "", "plan_rows-0-remark": "新备注"}, token_from=url)
    assert refused.status_code == 422 and "此项为必填项" in text_of(refused)
    with services.db.read() as conn:
        assert records.items(conn, journey.plan_id())[0].remark == "一期"


def test_a_remark_is_cleared_through_the_api_and_the_plan_then_shows_none(client: FlaskClient,
                                                                         services: Services) -> None:
    journey = Journey(services).assigned(plan_remarks="一期")
    api = Api(client)
    task = api.get(f"/api/v1/tasks/{journey.plan_task_id('plan_prepare')}", "hrss_clerk").get_json()
    done = api.complete(task, {"plan_rows": [{"project": journey.instance_id, "remark": ""}]})
    assert done.status_code == 200, done.get_json()
    plan = api.get(f"/api/v1/plans/{journey.plan_id()}", "hrss_head").get_json()
    assert [row["remark"] for row in plan["items"]] == [""]
    assert _completed_rows(services, journey.plan_id()) == [[{"project": journey.instance_id, "remark": ""}]]
    journey.plan_do("hrss_reviewer", "plan_review", support.decision("plan_review", "send_back", "请核对。"))
    again = api.get(f"/api/v1/tasks/{journey.plan_task_id('plan_prepare')}", "hrss_clerk").get_json()
    assert again["form"]["properties"]["plan_rows"].get("default") == [], "no remark left to prefill"
