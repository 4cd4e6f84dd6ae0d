"""Form conventions on the pages: the total under summed line items, and fields that apply to one choice only."""
from __future__ import annotations

import re

from flask import Flask

from services.context import Services
from tests import support
from tests.services.journey import Journey
from tests.web.site import Site, posted, text_of
from tests.web.test_form_fields import _schema
from web.pages import forms


def test_summed_line_items_show_their_total_under_them(app: Flask) -> None:
    values = {"budget_lines": [{"line_amount": "700,000"}, {"line_amount": "100000.5"}, {"line_amount": "x"}]}
    with app.test_request_context("/"):
        fields, _ = forms.build(_schema("declare"), values, {}, {})
    (lines,) = [f for f in fields if f.name == "budget_lines"]
    assert (lines.sum_field, lines.total) == ("line_amount", "¥800,000.50")


def test_the_declaration_page_has_a_live_total_row(site: Site, journey: Journey) -> None:
    page = site.user("health_user").get(f"/tasks/{journey.task_id('declare')}").get_data(as_text=True)
    assert re.search(r'<tfoot>\s*<tr class="total">\s*<th scope="row"[^>]*>合计</th>', page)
    assert 'data-sum-of="budget_lines" data-sum-field="line_amount"' in page
    assert '<script src="/static/form-rules.js" defer></script>' in page


def test_lines_that_miss_the_budget_are_refused_on_the_page_keeping_what_was_typed(site: Site,
                                                                                     journey: Journey) -> None:
    url = f"/tasks/{journey.task_id('declare')}"
    data = support.declare(journey.sha, budget="860000.00", budget_lines=[
        {"line_category": "it.software", "line_item": "开发", "line_amount": "700000.00"},
        {"line_category": "it.hardware", "line_item": "设备", "line_amount": "100000.00"}])
    page = site.user("health_user").post(url, posted(data), token_from=url)
    assert page.status_code == 422
    text = text_of(page)
    assert "明细合计为¥800,000.00，应等于¥860,000.00。" in text
    assert "合计 ¥800,000.00" in text and 'name="budget" value="860000.00"' in page.get_data(as_text=True)


def test_the_project_page_shows_the_total_of_the_budget_lines(site: Site, services: Services) -> None:
    j = Journey(services)
    j.do("health_user", "declare", support.declare(j.sha))
    text = text_of(site.user("health_user").get(f"/projects/{j.instance_id}"))
    assert re.search(r"闸机读卡模块 ¥200,000.00 合计 ¥1,200,000.00", text)


def test_a_field_for_one_choice_says_so_to_the_page(site: Site, journey: Journey) -> None:
    journey.do("health_user", "declare", support.declare(journey.sha))
    page = site.user("bdc_reviewer").get(f"/tasks/{journey.task_id('review')}").get_data(as_text=True)
    assert 'id="field-approved_budget" data-when=\'{"review_decision": ["approve"]}\'>' in page
    assert 'id="field-review_opinion">' in page


def test_a_revise_posted_with_the_prefilled_budget_records_no_approved_budget(site: Site, services: Services,
                                                                              journey: Journey) -> None:
    journey.do("health_user", "declare", support.declare(journey.sha))
    url = f"/tasks/{journey.task_id('review')}"
    form = {"review_decision": "revise", "review_opinion": "请补充。", "approved_budget": "1,200,000.00"}
    assert site.user("bdc_reviewer").post(url, form, token_from=url).status_code == 302
    text = text_of(site.user("bdc_reviewer").get(f"/projects/{journey.instance_id}"))
    assert "退回修改" in text and "核定预算" not in text
