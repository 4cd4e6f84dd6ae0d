"""The pages of card functions, funding years and the allocation among banks, with their permissions."""
from __future__ import annotations

import re

from services.context import Services
from tests.services import allocation_helpers as alloc
from tests.web.site import Site, posted, text_of


def test_everyone_reads_the_function_list_and_the_bureau_maintains_it(site: Site) -> None:
    department = site.user("health_user")
    page = text_of(department.get("/functions/"))
    assert "公交乘车" in page and "就医结算" in page and "新增应用功能" not in page
    assert department.post("/functions/", {"code": "x-y", "name": "x", "department": "dept-health"},
                           token_from="/functions/").status_code == 403
    clerk = site.user("hrss_clerk")
    refused = clerk.post("/functions/", {"code": "Bad", "name": "", "department": ""}, token_from="/functions/")
    assert refused.status_code == 422
    assert "此项为必填项" in text_of(refused)
    done = clerk.post("/functions/", {"code": "health-vaccine", "name": "疫苗接种登记", "department": "dept-health",
                                      "description": "持卡预约接种。"}, token_from="/functions/")
    assert done.status_code == 302
    assert "疫苗接种登记" in text_of(clerk.get("/functions/"))
    saved = clerk.post("/functions/health-vaccine", {"name": "预防接种", "department": "dept-health",
                                                     "description": ""}, token_from="/functions/health-vaccine")
    assert saved.status_code == 302
    clerk.post("/functions/health-vaccine/active", {"active": "false"}, token_from="/functions/")
    assert "已停用" in text_of(clerk.get("/functions/"))
    assert site.user("supervisor").get("/functions/health-vaccine").status_code == 403


def test_the_declaration_form_shows_the_round_and_offers_the_active_functions(site: Site) -> None:
    department = site.user("health_user")
    page = department.get("/projects/new")
    text = text_of(page)
    assert "年中追加申报" in text and "2026年追加申报" in text, "September is outside the annual round"
    html = page.get_data(as_text=True)
    assert 'name="declaration_round"' not in html and 'name="declaration_year"' not in html
    assert '<option value="transit-bus"' in html


def test_the_bureau_sets_rounds_others_only_read_them(site: Site) -> None:
    clerk = site.user("hrss_clerk")
    assert "2026" in text_of(clerk.get("/years/"))
    done = clerk.post("/years/2026/rounds", {"name": "2026年第二批追加申报", "opens_on": "2026-03-01",
                                             "closes_on": "2026-03-31"}, token_from="/years/2026")
    assert done.status_code == 302
    assert "2026年第二批追加申报" in text_of(clerk.get("/years/2026"))
    overlap = clerk.post("/years/2026/rounds", {"name": "第三批", "opens_on": "2026-01-15", "closes_on": "2026-02-10"},
                         token_from="/years/2026")
    assert overlap.status_code == 422
    moved = clerk.post("/years/2026/annual", {"opens_on": "2026-01-05", "closes_on": "2026-02-15"},
                       token_from="/years/2026")
    assert moved.status_code == 302
    reader = site.user("health_user")
    assert "2026年第二批追加申报" in text_of(reader.get("/years/2026"))
    assert reader.post("/years/2026/annual", {"opens_on": "2026-01-01", "closes_on": "2026-01-31"},
                       token_from="/years/2026").status_code == 403


def test_an_empty_round_date_is_asked_for_and_a_malformed_one_is_named_so(site: Site) -> None:
    clerk = site.user("hrss_clerk")
    empty = clerk.post("/years/2026/rounds", {"name": "第二批", "opens_on": "", "closes_on": "2026-03-31"},
                       token_from="/years/2026")
    assert empty.status_code == 422
    assert re.search(r'id="new-opens"[^>]*>\s*<p class="field-error">此项为必填项。</p>', empty.get_data(as_text=True))
    assert "格式填写日期" not in text_of(empty)
    malformed = clerk.post("/years/2026/annual", {"opens_on": "2026-01-05", "closes_on": "2026/02/15"},
                           token_from="/years/2026")
    assert malformed.status_code == 422 and "格式填写日期" in text_of(malformed)
    assert "此项为必填项。" not in text_of(malformed)
    assert "第二批" not in text_of(clerk.get("/years/2026"))


def test_the_allocation_runs_through_the_pages(site: Site, services: Services) -> None:
    clerk = site.user("hrss_clerk")
    assert "开始2027年度资金分配" in text_of(clerk.get("/allocations/2027"))
    started = clerk.post("/allocations/2027/start", token_from="/allocations/2027")
    task_url = started.headers["Location"]
    form = clerk.get(task_url).get_data(as_text=True)
    assert 'value="2027"' in form
    setup = {k: v for k, v in alloc.SETUP.items()}
    assert clerk.post(task_url, posted(setup), token_from=task_url).status_code == 302
    waiting = text_of(clerk.get("/allocations/2027"))
    assert "合作银行 · 中国农业银行太仓分行" in waiting and "bank-abc" not in waiting, "banks by name, not code"
    for bank, user in alloc.BANK_USERS.items():
        task = alloc.task_of(services, user, _run_id(services), "bank_confirm")
        page = site.user(user).get(f"/tasks/{task}")
        assert page.status_code == 200 and f"{dict((r['bank'], r['card_count']) for r in alloc.SETUP['card_counts'])[bank]:}" in text_of(page)
        if bank == "bank-icbc":
            assert site.user("abc_user").get(f"/tasks/{task}").status_code == 404
        assert site.user(user).post(f"/tasks/{task}", posted(alloc.CONFIRM), token_from=f"/tasks/{task}").status_code == 302
    head_task = alloc.task_of(services, "hrss_head", _run_id(services), "allocation_approve")
    approval = text_of(site.user("hrss_head").get(f"/tasks/{head_task}"))
    assert "520000.00" in approval.replace(",", "") and "中国工商银行太仓分行" in approval
    assert site.user("hrss_head").post(f"/tasks/{head_task}", posted({"allocation_decision": "approve"}),
                                       token_from=f"/tasks/{head_task}").status_code == 302
    full = text_of(site.user("supervisor").get("/allocations/2027"))
    assert "¥1,000,000.00" in full and "江苏太仓农村商业银行" in full and "张伟（局负责人）" in full
    own = text_of(site.user("abc_user").get("/allocations/2027"))
    assert "¥310,000.00" in own and "中国工商银行太仓分行" not in own and "¥1,000,000.00" not in own
    assert site.user("health_user").get("/allocations/2027").status_code == 403


def _run_id(services: Services) -> int:
    from sqlalchemy import select

    from models.tables import allocation_run
    with services.db.read() as conn:
        return conn.execute(select(allocation_run.c.instance_id)).scalar_one()
