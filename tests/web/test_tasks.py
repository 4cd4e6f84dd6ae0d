"""The task list and task forms: declaring, validation, over-posting, double submission, scoping."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select

from models.tables import audit_event
from services.context import Services
from services.inbox import tasks_for
from services.instances import show_instance
from services.projects import list_projects
from services.users import load_actor
from tests import support
from tests.services.journey import Journey
from tests.web.site import PDF, Site, posted, text_of


def _declare_page(site: Site) -> tuple[Any, str]:
    user = site.user("health_user")
    assert 'href="/projects/new"' in user.get("/").get_data(as_text=True)
    return user, "/projects/new"


def _no_project(services: Services) -> bool:
    return list_projects(services, load_actor(services, "hrss_clerk"))["total"] == 0


def _declaration(**overrides: Any) -> dict[str, Any]:
    data = posted({k: v for k, v in support.declare().items() if k != "feasibility_report"})
    data["feasibility_report"] = (io.BytesIO(PDF), "可行性研究报告.pdf")
    return {**data, **overrides}


def test_a_department_declares_a_project_with_its_report_from_the_home_page(
        site: Site, services: Services) -> None:
    user, url = _declare_page(site)
    assert "申报新项目" in text_of(user.get("/"))
    form = user.get(url)
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.get_data(as_text=True)
    assert "申报类型" in text_of(form) and "年度集中申报" in text_of(form)
    done = user.post(url, _declaration(), token_from=url, content_type="multipart/form-data")
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert "已提交：项目申报 — 社保卡乘车码应用" in text_of(user.get("/"))
    instance = show_instance(services, None, 1)
    assert instance["stage"] == "review" and instance["project"]["budget"] == "1200000.00"
    assert [d["filename"] for d in instance["documents"]] == ["可行性研究报告.pdf"]
    submitted = [e for e in instance["history"] if e["event"] == "task_completed"][0]["data"]["data"]
    assert submitted["declaration_year"] == 2026 and len(submitted["budget_lines"]) == 2


def test_invalid_input_is_shown_next_to_its_field_and_what_was_typed_stays(site: Site, services: Services) -> None:
    user, url = _declare_page(site)
    data = _declaration(budget="12.345", contact_phone="", **{"budget_lines-0-line_amount": "abc"})
    response = user.post(url, data, token_from=url, content_type="multipart/form-data")
    assert response.status_code == 422
    page, text = response.get_data(as_text=True), text_of(response)
    assert "表单有误" in text
    assert "请以元为单位填写金额，最多两位小数。" in text and "此项为必填项。" in text
    assert 'name="budget" value="12.345"' in page
    assert 'name="budget_lines-0-line_amount" value="abc"' in page
    assert 'name="project_name" value="社保卡乘车码应用"' in page
    assert "可行性研究报告.pdf" in text and 'type="hidden" name="feasibility_report"' in page
    assert _no_project(services)
    kept = {**_declaration(), "feasibility_report": _hidden_value(page, "feasibility_report")}
    assert user.post(url, kept, token_from=url).status_code == 302
    (project,) = list_projects(services, load_actor(services, "hrss_clerk"))["items"]
    assert project["stage"] == "review"  # (a refused start may use up an id on PostgreSQL)


def _hidden_value(page: str, name: str) -> str:
    marker = f'type="hidden" name="{name}" value="'
    return page.split(marker, 1)[1].split('"', 1)[0]


def test_empty_line_item_rows_are_ignored_and_blank_rows_are_offered(site: Site, services: Services) -> None:
    user, url = _declare_page(site)
    page = user.get(url).get_data(as_text=True)
    assert 'name="budget_lines-2-line_item"' in page
    data = {k: v for k, v in _declaration().items() if not k.startswith("budget_lines")}
    data.update({"budget_lines-0-line_item": "", "budget_lines-1-line_item": "读卡终端", "budget": "1,000.50",
                 "budget_lines-1-line_category": "it.hardware", "budget_lines-1-line_amount": "1,000.50"})
    assert user.post(url, data, token_from=url, content_type="multipart/form-data").status_code == 302
    history = show_instance(services, None, 1)["history"]
    lines = [e for e in history if e["event"] == "task_completed"][0]["data"]["data"]["budget_lines"]
    assert lines == [{"line_category": "it.hardware", "line_item": "读卡终端", "line_amount": "1000.50"}]


def test_an_over_posted_field_is_refused_and_nothing_changes(site: Site, services: Services,
                                                             journey: Journey) -> None:
    journey.do("health_user", "declare", support.declare(journey.sha))
    reviewer, url = site.user("bdc_reviewer"), f"/tasks/{journey.task_id('review')}"
    data = posted(support.review(sha=journey.sha))
    data["approved"] = "true"
    response = reviewer.post(url, data, token_from=url)
    assert response.status_code == 422
    assert "approved" in text_of(response) and "表单中没有此项" in text_of(response)
    assert journey.open_names() == ["review"]


def test_submitting_twice_shows_the_already_handled_page(site: Site, journey: Journey) -> None:
    journey.do("health_user", "declare", support.declare(journey.sha))
    reviewer, url = site.user("bdc_reviewer"), f"/tasks/{journey.task_id('review')}"
    data = posted(support.review("revise"))
    token = reviewer.token(url)
    first = reviewer.client.post(url, data={**data, "csrf_token": token})
    second = reviewer.client.post(url, data={**data, "csrf_token": token})
    assert first.status_code == 302
    assert second.status_code == 409 and "该事项已处理" in text_of(second)
    assert reviewer.get(url).status_code == 409


def test_another_organisations_task_answers_404_and_is_audited(site: Site, services: Services,
                                                                journey: Journey) -> None:
    journey.to_plan("bank-icbc")
    task_id = journey.plan_task_id("bank_confirm")
    task_url = f"/tasks/{task_id}"
    assert site.user("icbc_user").get(task_url).status_code == 200
    assert site.user("abc_user").get(task_url).status_code == 404
    assert site.user("abc_user").post(task_url, posted(support.SECURE_FUNDS)).status_code == 404
    assert site.user("transport_user").get(task_url).status_code == 404
    with services.db.read() as conn:
        denied = conn.execute(select(audit_event.c.data).where(audit_event.c.event == "access_denied")).scalars()
        assert any(task_id in d for d in denied)
    assert journey.plan_task_id("bank_confirm") == task_id


def test_a_department_cannot_open_another_departments_declaration(site: Site, journey: Journey) -> None:
    url = f"/tasks/{journey.task_id('declare')}"
    assert site.user("transport_user").get(url).status_code == 404
    assert site.user("health_user").get(url).status_code == 200


def test_someone_who_may_see_but_not_act_gets_403_and_the_supervisor_only_reads(
        site: Site, journey: Journey) -> None:
    journey.do("health_user", "declare", support.declare(journey.sha))
    url = f"/tasks/{journey.task_id('review')}"
    assert site.user("supervisor").get(url).status_code == 403
    assert site.user("health_user").get(url).status_code == 403
    home = text_of(site.user("supervisor").get("/", follow_redirects=True))
    assert "总览" in home and "申报新项目" not in home


def test_the_preparer_of_a_plan_may_not_review_it(site: Site, services: Services, journey: Journey) -> None:
    journey.do("health_user", "declare", support.declare(journey.sha))
    journey.do("bdc_reviewer", "review", support.review(sha=journey.sha))
    journey.do("hrss_clerk", "assign_bank", support.assign_bank())
    journey.plan_do("hrss_clerk", "plan_prepare", {})
    url = f"/tasks/{journey.plan_task_id('plan_review')}"
    response = site.user("hrss_clerk").post(url, posted(support.decision("plan_review")), token_from=url)
    assert response.status_code == 403 and "填报人不得审核" in text_of(response)


def test_the_review_form_shows_money_with_separators_and_the_declared_facts(site: Site, journey: Journey) -> None:
    journey.do("health_user", "declare", support.declare(journey.sha))
    page = site.user("bdc_reviewer").get(f"/tasks/{journey.task_id('review')}")
    body, text = page.get_data(as_text=True), text_of(page)
    assert 'name="approved_budget" value="1,200,000.00"' in body
    assert "不超过 ¥1,200,000.00" in text and "¥1,200,000.00" in text
    assert "可研报告.pdf" in text and "刘洋（卫健委）" in text
    assert "信息化项目：软件费用" in text and "2026年9月30日" in text


def test_a_refused_upload_is_reported_on_its_field(site: Site, services: Services) -> None:
    user, url = _declare_page(site)
    data = _declaration(feasibility_report=(io.BytesIO(b"#!/bin/sh\necho hi\n"), "run.sh"))
    response = user.post(url, data, token_from=url, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "仅可上传以下类型的文件" in text_of(response)
    assert _no_project(services)


def test_home_counts_filters_waiting_time_and_overdue_tasks(site: Site, services: Services) -> None:
    for department in ("health_user", "transport_user"):
        j = Journey(services, department)
        j.do(department, "declare", support.declare(j.sha))
    services.clock.at += timedelta(days=3)
    reviewer = site.user("bdc_reviewer")
    home = text_of(reviewer.get("/"))
    assert "已等待 3 天" in home and "评审" in home
    assert text_of(reviewer.get("/?stage=review")).count("可行性研究报告评审") == 2
    assert "暂无待办事项" in text_of(reviewer.get("/?stage=payment"))
    assert "暂无待办事项" in text_of(reviewer.get("/?year=2025"))
    assert "暂无待办事项" not in text_of(reviewer.get("/?year=2026&round=supplementary"))
    assert "暂无待办事项" in text_of(reviewer.get("/?year=2026&round=annual")), "September is outside the annual round"


def test_an_overdue_payment_shows_its_due_date_and_working_days_late(site: Site, services: Services,
                                                                     journey: Journey) -> None:
    journey.to_payment()
    journey.do("hrss_clerk", "payment_notice", support.notice("1000000.00", sha=journey.sha))
    journey.do("icbc_user", "payment_receipt", support.receipt("2026-09-15"))
    (task,) = tasks_for(services, journey.actor("icbc_user"))
    assert (task["due_date"], task["days_left"], task["days_late"]) == ("2026-11-02", 20, 0)  # from 09-30, today counted
    services.clock.at = datetime(2026, 11, 6, 4, 0, tzinfo=timezone.utc)
    page = site.user("icbc_user").get("/")
    assert 'class="is-overdue"' in page.get_data(as_text=True)
    assert "已逾期" in text_of(page) and "2026年11月2日" in text_of(page) and "逾期 4 个工作日" in text_of(page)
    assert "暂定" not in text_of(page)
    task_id = journey.task_id("payment")
    assert "逾期 4 个工作日" in text_of(site.user("icbc_user").get(f"/tasks/{task_id}"))
    assert "逾期 4 个工作日" in text_of(site.user("hrss_clerk").get(f"/projects/{journey.instance_id}"))


def test_a_due_date_without_the_official_calendar_is_marked_provisional(site: Site, services: Services,
                                                                        journey: Journey) -> None:
    journey.to_payment()
    services.clock.at = datetime(2026, 12, 16, 4, 0, tzinfo=timezone.utc)
    journey.do("hrss_clerk", "payment_notice", support.notice("1000000.00", on="2026-12-15", sha=journey.sha))
    journey.do("icbc_user", "payment_receipt", support.receipt("2026-12-15"))
    page = text_of(site.user("icbc_user").get("/"))
    assert "2027年1月27日" in page and "暂定" in page


def test_a_new_declaration_is_stored_only_when_it_is_submitted(site: Site, services: Services) -> None:
    user = site.user("health_user")
    form = user.get("/projects/new")
    assert form.status_code == 200 and "申报类型" in text_of(form)
    assert 'name="declaration_year"' not in form.get_data(as_text=True) and "2026年追加申报" in text_of(form)
    assert 'href="/"' in form.get_data(as_text=True).split('class="form-actions"', 1)[1]
    user.get("/")  # 取消: back to the task list
    assert _no_project(services) and "新申报项目" not in text_of(user.get("/"))
    empty = user.post("/projects/new", {}, token_from="/projects/new", content_type="multipart/form-data")
    assert empty.status_code == 422 and "此项为必填项。" in text_of(empty)
    assert _no_project(services) and "新申报项目" not in text_of(user.get("/projects/"))
    done = user.post("/projects/new", _declaration(), token_from="/projects/new",
                     content_type="multipart/form-data")
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert list_projects(services, load_actor(services, "hrss_clerk"))["total"] == 1


def test_only_a_department_may_open_a_new_declaration(site: Site, services: Services) -> None:
    assert site.user("bdc_reviewer").get("/projects/new").status_code == 403
    assert site.user("supervisor").get("/projects/new").status_code == 403
    assert 'href="/projects/new"' not in site.user("bdc_reviewer").get("/").get_data(as_text=True)
    assert _no_project(services)


def test_a_returned_task_is_marked_in_the_list_and_its_reason_heads_the_form(site: Site, journey: Journey) -> None:
    journey.do("health_user", "declare", support.declare(journey.sha))
    journey.do("bdc_reviewer", "review", support.review("revise", review_opinion="请补充测算依据。"))
    home = site.user("health_user").get("/")
    row = home.get_data(as_text=True).split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert 'class="badge returned"' in row and "已退回" in row and "陈静（综指中心）" in row
    page = site.user("health_user").get(f"/tasks/{journey.task_id('declare')}").get_data(as_text=True)
    notice = page.split('id="returned"', 1)[1].split("</div>", 1)[0]
    assert "已退回修改" in notice and "陈静（综指中心）" in notice and "可行性研究报告评审" in notice
    assert "请补充测算依据。" in notice
    assert page.index('id="returned"') < page.index("<form method=\"post\" action=\"/tasks/")
    english = site.user("health_user").get(f"/tasks/{journey.task_id('declare')}?lang=en").get_data(as_text=True)
    assert "Returned for revision" in english and "Review feasibility study" in english


def test_the_bank_cannot_sign_before_the_notice_or_in_the_future(site: Site, journey: Journey) -> None:
    journey.to_payment()
    journey.do("hrss_clerk", "payment_notice", support.notice("1000000.00", sha=journey.sha))
    for day, message in [("2026-09-14", "不得早于"), ("2026-10-01", "不得晚于"), ("2026-9-16", "签收日期")]:
        url = f"/tasks/{journey.task_id('payment_receipt')}"
        response = site.user("icbc_user").post(url, {"received_on": day}, token_from=url)
        assert response.status_code == 422 and message in text_of(response), day
    assert journey.open_names() == ["payment_receipt"]
