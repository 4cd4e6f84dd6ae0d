"""On the pages: the bank returns its plan to the bureau with its objection, and the bureau sees it first thing."""
from __future__ import annotations

from tests import support
from tests.services.journey import Journey
from tests.web.site import Site, posted, text_of

REASON = "计划金额超出本行本年度可用额度，请调整后重新报送。"


def test_the_bank_chooses_between_confirming_and_returning(site: Site, journey: Journey) -> None:
    journey.to_plan("bank-icbc")
    url = f"/tasks/{journey.plan_task_id('bank_confirm')}"
    page = text_of(site.user("icbc_user").get(url))
    assert "确认资金已落实" in page and "退回局（附理由）" in page and "退回意见" in page
    assert "预算金额（万元）" in page and "115" in page, "the bank sees the plan table it confirms"
    english = text_of(site.user("icbc_user").get(f"{url}?lang=en"))
    assert "Confirm the funds are in place" in english and "Return to the bureau (with a reason)" in english
    assert "Objection" in english and "退回" not in english


def test_the_bank_returns_the_plan_and_the_bureau_sees_the_reason_at_the_top(site: Site, journey: Journey) -> None:
    journey.to_plan("bank-icbc")
    url = f"/tasks/{journey.plan_task_id('bank_confirm')}"
    done = site.user("icbc_user").post(url, {"funds_decision": "return", "funds_return_reason": REASON},
                                       token_from=url)
    assert done.status_code == 302 and journey.plan_task_id("plan_prepare") and journey.open_names() == []
    row = site.user("hrss_clerk").get("/").get_data(as_text=True).split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert 'class="badge returned"' in row and "周婷（工商银行）" in row
    page = site.user("hrss_clerk").get(f"/tasks/{journey.plan_task_id('plan_prepare')}").get_data(as_text=True)
    notice = page.split('id="returned"', 1)[1].split("</div>", 1)[0]
    assert "周婷（工商银行）" in notice and "确认资金保障" in notice and REASON in notice
    assert page.index('id="returned"') < page.index("<form method=\"post\" action=\"/tasks/")


def test_returning_without_a_reason_shows_the_field_error_and_changes_nothing(
        site: Site, journey: Journey) -> None:
    journey.to_plan("bank-icbc")
    url = f"/tasks/{journey.plan_task_id('bank_confirm')}"
    for blank in ("", "   "):
        response = site.user("icbc_user").post(url, {"funds_decision": "return", "funds_return_reason": blank},
                                               token_from=url)
        assert response.status_code == 422 and "表单有误" in text_of(response)
        field = response.get_data(as_text=True).split('name="funds_return_reason"', 1)[1].split("</div>", 1)[0]
        assert "必填" in field
    assert journey.plan_task_id("bank_confirm") and journey.open_names() == []


def test_the_supervisor_cannot_return_the_plan(site: Site, journey: Journey) -> None:
    journey.to_plan("bank-icbc")
    url = f"/tasks/{journey.plan_task_id('bank_confirm')}"
    supervisor = site.user("supervisor")
    assert supervisor.get(url).status_code == 403
    refused = supervisor.post(url, posted(support.funds_returned(REASON)), token_from="/dashboard/")
    assert refused.status_code == 403
    assert journey.plan_task_id("bank_confirm")
