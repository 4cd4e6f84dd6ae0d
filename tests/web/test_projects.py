"""Project list and project page: scoping, every step with its data, payments, comments, withdrawal."""
from __future__ import annotations

import re

from services.context import Services
from services.instances import show_instance, start_instance
from services.users import load_actor
from tests import support
from tests.services.journey import Journey
from tests.web.site import Site, posted, text_of


def _paid_in_full(journey: Journey) -> Journey:
    journey.to_payment()
    journey.notice_received("1000000.00")
    journey.do("icbc_user", "payment", support.paid())
    return journey


def test_the_project_page_shows_every_step_with_who_when_and_what(site: Site, journey: Journey) -> None:
    _paid_in_full(journey)
    page = site.user("health_user").get(f"/projects/{journey.instance_id}")
    assert page.status_code == 200
    text = text_of(page)
    assert "已完成" in text and "资金支付完毕" not in text
    for step in ("项目申报", "可行性研究报告评审", "安排合作银行及计划金额", "签订三方合同", "确认付款"):
        assert step in text
    assert "陈静（综指中心）" in text and "周婷（工商银行）" in text
    assert "核定预算（元） ¥1,150,000.00" in text and "评审结论 通过" in text
    assert "合作银行 中国工商银行太仓分行" in text
    assert "三方合同已签订 是" in text and "2026年4月20日" in text
    assert "乘车码应用开发" in text and "¥1,000,000.00" in text
    assert re.search(r"付款记录 期次 金额 .* 1 ¥1,000,000.00 2026年9月15日 2026年9月20日 TX0001", text)


def test_the_project_list_shows_only_what_the_user_may_see(site: Site, services: Services) -> None:
    Journey(services).to_plan("bank-icbc")
    abc = Journey(services, "transport_user")
    abc.do("transport_user", "declare", support.declare(abc.sha))
    abc.do("bdc_reviewer", "review", support.review(sha=abc.sha))
    abc.do("hrss_clerk", "assign_bank", support.assign_bank("bank-abc"))
    assert "共 1 个项目" in text_of(site.user("icbc_user").get("/projects/"))
    assert "共 1 个项目" in text_of(site.user("health_user").get("/projects/"))
    everything = text_of(site.user("supervisor").get("/projects/"))
    assert "共 2 个项目" in everything and "太仓市交通运输局" in everything


def test_another_organisations_project_answers_404(site: Site, journey: Journey) -> None:
    journey.to_plan("bank-icbc")
    url = f"/projects/{journey.instance_id}"
    assert site.user("icbc_user").get(url).status_code == 200
    assert site.user("abc_user").get(url).status_code == 404
    assert site.user("transport_user").get(url).status_code == 404
    assert site.user("abc_user").post(f"{url}/comments", {"body": "x"}).status_code == 404
    assert site.user("health_user").get("/projects/999").status_code == 404


def test_the_list_filters_and_pages(site: Site, services: Services) -> None:
    health = load_actor(services, "health_user")
    for _ in range(23):
        start_instance(services, health, "fund_project")
    user = site.user("health_user")
    first = text_of(user.get("/projects/"))
    assert "共 23 个项目" in first and "第 1 页，共 2 页" in first and "下一页" in first
    assert "第 2 页，共 2 页" in text_of(user.get("/projects/?page=2"))
    filtered = user.get("/projects/?stage=declaration&page=2").get_data(as_text=True)
    assert 'href="/projects/?page=1&amp;stage=declaration"' in filtered, "the pager keeps the filter"
    assert "没有符合条件的项目" in text_of(user.get("/projects/?stage=payment"))
    assert "共 23 个项目" in text_of(user.get("/projects/?stage=declaration&status=running"))
    assert "没有符合条件的项目" in text_of(user.get("/projects/?q=乘车码"))


def test_the_supervisor_reads_everything_but_has_nothing_to_handle(site: Site, journey: Journey) -> None:
    journey.do("health_user", "declare", support.declare(journey.sha))
    page = site.user("supervisor").get(f"/projects/{journey.instance_id}")
    assert page.status_code == 200 and "可行性研究报告评审" in text_of(page)
    assert "/tasks/" not in page.get_data(as_text=True)
    reviewer_page = site.user("bdc_reviewer").get(f"/projects/{journey.instance_id}")
    assert f"/tasks/{journey.task_id('review')}" in reviewer_page.get_data(as_text=True)


def test_anyone_who_sees_the_project_can_comment(site: Site, services: Services, journey: Journey) -> None:
    url = f"/projects/{journey.instance_id}"
    done = site.user("bdc_reviewer").post(f"{url}/comments", {"body": "请补充可研报告附件。"}, token_from=url)
    assert done.status_code == 302
    page = text_of(site.user("health_user").get(url))
    assert "请补充可研报告附件。" in page and "陈静（综指中心）" in page
    empty = site.user("health_user").post(f"{url}/comments", {"body": "  "}, token_from=url)
    assert empty.status_code == 422 and "备注为空或过长" in text_of(empty)
    assert len(show_instance(services, None, journey.instance_id)["comments"]) == 1


def test_the_department_withdraws_its_declaration_before_review(site: Site, services: Services,
                                                                journey: Journey) -> None:
    journey.do("health_user", "declare", support.declare(journey.sha))
    url = f"/projects/{journey.instance_id}"
    link = f'href="{url}/withdraw"'
    assert link in site.user("health_user").get(url).get_data(as_text=True)
    assert link not in site.user("bdc_reviewer").get(url).get_data(as_text=True)
    assert site.user("bdc_reviewer").get(f"{url}/withdraw").status_code == 403
    refused = site.user("bdc_reviewer").post(f"{url}/withdraw", {"reason": "x"}, token_from=url)
    assert refused.status_code == 403
    done = site.user("health_user").post(f"{url}/withdraw", {"reason": "预算调整"}, token_from=f"{url}/withdraw")
    assert done.status_code == 302
    page = site.user("health_user").get(url)
    assert "已撤回" in text_of(page) and "预算调整" in text_of(page)
    assert link not in page.get_data(as_text=True)
    assert show_instance(services, None, journey.instance_id)["status"] == "withdrawn"


def test_withdrawing_asks_for_confirmation_and_a_reason_first(site: Site, services: Services,
                                                              journey: Journey) -> None:
    journey.do("health_user", "declare", support.declare(journey.sha))
    url = f"/projects/{journey.instance_id}"
    user = site.user("health_user")
    project_page = user.get(url).get_data(as_text=True)
    assert f'action="{url}/withdraw"' not in project_page, "one click on the project page must not withdraw"
    confirm = user.get(f"{url}/withdraw")
    assert confirm.status_code == 200 and "撤回理由" in text_of(confirm)
    assert f'action="{url}/withdraw"' in confirm.get_data(as_text=True)
    for reason in ("", "   \n "):
        empty = user.post(f"{url}/withdraw", {"reason": reason}, token_from=f"{url}/withdraw")
        assert empty.status_code == 422 and "请填写撤回申报的理由" in text_of(empty)
        assert 'aria-invalid="true"' in empty.get_data(as_text=True)
    assert show_instance(services, None, journey.instance_id)["status"] == "running"


def test_withdrawal_is_refused_once_the_bdc_has_reviewed(site: Site, journey: Journey) -> None:
    journey.do("health_user", "declare", support.declare(journey.sha))
    url = f"/projects/{journey.instance_id}"
    user = site.user("health_user")
    token = user.token(url)
    journey.do("bdc_reviewer", "review", support.review(sha=journey.sha))
    assert f'action="{url}/withdraw"' not in user.get(url).get_data(as_text=True)
    late = user.client.post(f"{url}/withdraw", data={"reason": "", "csrf_token": token})
    assert late.status_code == 409 and "不能再撤回" in text_of(late)


def test_a_declaration_round_trip_through_revision_keeps_the_earlier_values(site: Site, journey: Journey) -> None:
    journey.do("health_user", "declare", support.declare(journey.sha))
    journey.do("bdc_reviewer", "review", support.review("revise"))
    url = f"/tasks/{journey.task_id('declare')}"
    page = site.user("health_user").get(url).get_data(as_text=True)
    assert 'name="budget" value="1,200,000.00"' in page
    assert 'name="budget_lines-1-line_item" value="闸机读卡模块"' in page
    assert 'name="budget_lines-4-line_item" value=""' in page
    assert 'type="hidden" name="feasibility_report"' not in page  # the revised report is attached anew
    changed = {**posted(support.declare(journey.sha)), "budget": "1,100,000", "budget_lines-0-line_amount": "900,000"}
    assert site.user("health_user").post(url, changed, token_from=url).status_code == 302
    assert journey.show()["project"]["budget"] == "1100000.00"


def test_the_budget_says_whether_it_is_the_declared_or_the_approved_one(site: Site, services: Services) -> None:
    reviewed = Journey(services)
    reviewed.do("health_user", "declare", support.declare(reviewed.sha))
    reviewed.do("bdc_reviewer", "review", support.review(sha=reviewed.sha))
    declared = Journey(services)
    declared.do("health_user", "declare", support.declare(declared.sha, budget="800000.00", budget_lines=[]))
    listing = text_of(site.user("health_user").get("/projects/"))
    assert "¥1,150,000.00 核定预算" in listing and "¥800,000.00 申报预算" in listing
    facts = text_of(site.user("health_user").get(f"/projects/{reviewed.instance_id}")).split("项目概况", 1)[1]
    assert "申报预算 ¥1,200,000.00" in facts and "核定预算 ¥1,150,000.00" in facts
    english = text_of(site.user("health_user").get("/projects/?lang=en"))
    assert "¥1,150,000.00 Approved budget" in english and "¥800,000.00 Declared budget" in english
