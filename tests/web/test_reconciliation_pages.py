"""The reconciliation pages: the bureau starts one, each bank sees only its own, supervisors read every record."""
from __future__ import annotations

from services.context import Services
from services.oversight.actions import terminate
from services.tasks import complete_task
from services.users import load_actor
from tests.services import reconciliation_helpers as rec
from tests.web.site import Site, posted, text_of


def test_the_bureau_starts_a_reconciliation_and_the_page_shows_the_lines(site: Site, services: Services) -> None:
    rec.fix_allocation(services)
    project = rec.paid_project(services, "bank-icbc", "公交乘车改造", [("100000.00", "2026-05-01")])
    clerk = site.user("hrss_clerk")
    page = text_of(clerk.get("/reconciliations/"))
    assert "与合作银行对账" in page and "发起对账" in page and "尚未发起对账" in page
    refused = clerk.post("/reconciliations/start", {"bank": "bank-icbc", "period": "2026Q9"},
                         token_from="/reconciliations/")
    assert refused.status_code == 422 and "请填写季度" in text_of(refused)
    not_ended = clerk.post("/reconciliations/start", {"bank": "bank-icbc", "period": "2026Q4"},
                           token_from="/reconciliations/")
    assert not_ended.status_code == 422 and "尚未结束" in text_of(not_ended)
    started = clerk.post("/reconciliations/start", {"bank": "bank-icbc", "period": "2026Q2"},
                         token_from="/reconciliations/")
    assert started.status_code == 302
    detail = started.headers["Location"]
    assert "待银行报送" in text_of(clerk.get(detail))
    again = clerk.post("/reconciliations/start", {"bank": "bank-icbc", "period": "2026Q2"},
                       token_from="/reconciliations/")
    assert again.status_code == 409 and "已经发起" in text_of(again)
    abc_run = rec.start(services, "bank-abc")
    rec.report(services, abc_run, {"reported_card_count": 310000, "reported_paid_total": "0.00"}, "bank-abc")
    icbc_run = rec.start(services, "bank-icbc", "2026Q1")
    rec.report(services, icbc_run, {"reported_card_count": 520001, "reported_paid_total": "0.00"})
    (task,) = rec.tasks(services, "icbc_user", icbc_run, "bank_explain")
    complete_task(services, load_actor(services, "icbc_user"), task["id"], {"bank_explanation_text": "一月新增一张卡"})

    icbc = site.user("icbc_user")
    listing = text_of(icbc.get("/reconciliations/"))
    assert "您只能看到本行的对账" in listing and "中国农业银行" not in listing and "发起对账" not in listing
    assert "2026年第1季度" in listing and "2026Q1" not in listing and "520,001" in listing and "520,000" in listing
    (row,) = [r for r in rec.rec_rows(services, "icbc_user") if r["period"] == "2026Q1"]
    shown = text_of(icbc.get(f"/reconciliations/{row['id']}"))
    assert "一月新增一张卡" in shown and "待说明" not in shown and "未关闭" in shown and "周婷（工商银行）" in shown
    assert "中国工商银行太仓分行 · 2026年第1季度对账" in shown and "2026Q1" not in shown
    english = text_of(icbc.get(f"/reconciliations/{row['id']}?lang=en"))
    assert "Reconciliation Q1 2026" in english and "2026Q1" not in english
    icbc.get("/?lang=zh")

    abc = site.user("abc_user")
    assert abc.get(f"/reconciliations/{row['id']}").status_code == 404
    assert "中国工商银行" not in text_of(abc.get("/reconciliations/"))

    supervisor = site.user("supervisor")
    everything = text_of(supervisor.get("/reconciliations/"))
    assert "中国工商银行" in everything and "中国农业银行" in everything and "发起对账" not in everything
    assert "已办结" in everything, "ABC's matching report closed at once"
    assert supervisor.post("/reconciliations/start", {"bank": "bank-trcb", "period": "2026Q2"},
                           token_from="/reconciliations/").status_code == 403
    assert f"项目 #{project}" not in shown

    health = site.user("health_user")
    assert health.get("/reconciliations/").status_code == 403
    assert 'href="/reconciliations/"' not in health.get("/").get_data(as_text=True)
    assert 'href="/reconciliations/"' in icbc.get("/").get_data(as_text=True)


def test_the_bank_and_the_bureau_work_through_the_task_pages(site: Site, services: Services) -> None:
    rec.fix_allocation(services)
    project = rec.paid_project(services, "bank-icbc", "公交乘车改造", [("100000.00", "2026-05-01")])
    run = rec.start(services)
    icbc = site.user("icbc_user")
    (task,) = rec.tasks(services, "icbc_user", run, "bank_report")
    url = f"/tasks/{task['id']}"
    form = text_of(icbc.get(url))
    assert "报送持卡数量和支付金额" in form and "对账期 2026年第2季度" in form and "2026Q2" not in form
    assert "中国工商银行太仓分行 2026年第2季度对账" in text_of(icbc.get("/"))
    english = text_of(icbc.get(f"{url}?lang=en"))
    assert "Q2 2026" in english and "2026Q2" not in english
    icbc.get("/?lang=zh")
    bad = icbc.post(url, posted({"reported_card_count": "-3", "reported_paid_total": "1.234"}), token_from=url)
    assert bad.status_code == 422
    report = {"reported_card_count": "520000", "reported_paid_total": "90000.00",
              "reported_lines": [{"project_id": project, "amount": "90000.00"}]}
    assert icbc.post(url, posted(report), token_from=url).status_code == 302
    explain = rec.tasks(services, "icbc_user", run, "bank_explain")
    assert len(explain) == 2, "the total and the project differ; the card count agrees"
    for t in explain:
        page = text_of(icbc.get(f"/tasks/{t['id']}"))
        assert "本行报送的数字与系统记录不一致" in page and "-10000.00" in page.replace(",", "")
        assert "Recorded lines" not in page, "the system's figures are not shown as raw data"
        assert icbc.post(f"/tasks/{t['id']}", posted({"bank_explanation_text": "一笔款项于7月初入账"}),
                         token_from=f"/tasks/{t['id']}").status_code == 302
    reviewer = site.user("hrss_reviewer")
    for t in rec.tasks(services, "hrss_reviewer", run, "bureau_close"):
        page = text_of(reviewer.get(f"/tasks/{t['id']}"))
        assert "一笔款项于7月初入账" in page
        assert reviewer.post(f"/tasks/{t['id']}", posted({"bureau_explanation": "核实属跨期入账，关闭。"}),
                             token_from=f"/tasks/{t['id']}").status_code == 302
    record = rec.record(services, run)
    assert record.status == "closed"
    shown = text_of(site.user("supervisor").get(f"/reconciliations/{record.id}"))
    assert shown.count("核实属跨期入账，关闭。") == 2 and "已办结" in shown
    for user in ("supervisor", "icbc_user"):
        assert site.user(user).get(f"/projects/{run}").status_code == 200
    history = text_of(site.user("supervisor").get(f"/projects/{run}"))
    assert "对账办结" in history and "2026年第2季度" in history and "2026Q2" not in history
    audit = text_of(site.user("supervisor").get("/audit/?event=reconciliation_closed"))
    assert "中国工商银行太仓分行 2026年第2季度对账 2026年第2季度" in audit and "2026Q2" not in audit
    assert site.user("abc_user").get(f"/projects/{run}").status_code == 404


def test_a_terminated_reconciliation_is_listed_as_terminated_and_the_bureau_starts_it_again(
        site: Site, services: Services) -> None:
    clerk, form = site.user("hrss_clerk"), {"bank": "bank-icbc", "period": "2026Q2"}
    first = clerk.post("/reconciliations/start", form, token_from="/reconciliations/")
    assert first.status_code == 302
    (old,) = rec.rec_rows(services, "hrss_clerk")
    terminate(services, load_actor(services, "admin"), old["instance_id"], "报送口径有误，重新对账。")
    assert "已终止" in text_of(site.user("supervisor").get(first.headers["Location"]))
    again = clerk.post("/reconciliations/start", form, token_from="/reconciliations/")
    assert again.status_code == 302 and again.headers["Location"] != first.headers["Location"]
    assert "待银行报送" in text_of(clerk.get(again.headers["Location"]))
    listing = text_of(site.user("supervisor").get("/reconciliations/"))
    assert listing.count("2026年第2季度") >= 2 and "已终止" in listing and "待银行报送" in listing
    refused = clerk.post("/reconciliations/start", form, token_from="/reconciliations/")
    assert refused.status_code == 409 and "已经发起" in text_of(refused)
