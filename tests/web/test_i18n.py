"""Chinese by default, English on request; catalogues complete and compiled; dates and money for readers."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from services.demo import FUNCTIONS, USERS
from services.forms import MESSAGES
from services.fund_project import OVER_PRICE
from services.plans.process import OVERRIDE_NEEDED
from tests import support
from tests.services.journey import Journey
from tests.web.site import Site, text_of
from web.form_messages import texts
from web.pages.schema import label

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "web" / "translations"
METHODS = [("web/**.py", "python"), ("web/templates/**.html", "jinja2")]
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _catalog(language: str):  # type: ignore[no-untyped-def]
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=language)


def _compiled(language: str):  # type: ignore[no-untyped-def]
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo", "rb") as handle:
        return read_mo(handle)


def _key(value: object) -> object:
    return tuple(value) if isinstance(value, (list, tuple)) else value


def _translated(catalog) -> dict[object, object]:  # type: ignore[no-untyped-def]
    return {_key(m.id): _key(m.string) for m in catalog if m.id and not m.fuzzy and
            (all(m.string) if isinstance(m.string, (list, tuple)) else m.string)}


def test_every_message_of_the_pages_has_a_chinese_translation() -> None:
    zh = _translated(_catalog("zh"))
    extracted = {(msg if isinstance(msg, str) else msg[0])
                 for _file, _line, msg, *_rest in extract_from_dir(ROOT, METHODS, keywords=KEYWORDS)}
    assert extracted, "nothing was extracted"
    singular = {k if isinstance(k, str) else k[0] for k in zh}
    assert sorted(extracted - singular) == []
    assert sorted(str(m.id) for m in _catalog("zh") if m.id and _key(m.id) not in zh) == []


def test_the_service_field_messages_are_translated() -> None:
    zh = _translated(_catalog("zh"))
    assert sorted(set(MESSAGES.values()) - set(zh)) == []


PLACEHOLDER = re.compile(r"{(\w*)}")


def test_each_chinese_message_keeps_the_placeholders_of_its_english_one() -> None:
    differing = {m.id: m.string for m in _catalog("zh") if isinstance(m.id, str) and m.string and
                 "python-brace-format" in m.flags and
                 sorted(PLACEHOLDER.findall(m.id)) != sorted(PLACEHOLDER.findall(m.string))}
    assert differing == {}


def test_the_money_messages_leave_the_yuan_sign_to_their_amounts() -> None:
    zh = _translated(_catalog("zh"))
    for message in (OVER_PRICE, OVERRIDE_NEEDED, MESSAGES["sum"], MESSAGES["moneyMinimum"], MESSAGES["moneyMaximum"]):
        assert "¥" not in message and "¥" not in str(zh[message]), message


@pytest.mark.parametrize("language", ["zh", "en"])
def test_each_compiled_catalogue_matches_its_source(language: str) -> None:
    source = _translated(_catalog(language))
    compiled = {_key(m.id): _key(m.string) for m in _compiled(language) if m.id}
    assert set(source) <= set(compiled)
    assert {k: v for k, v in compiled.items() if v != source.get(k, k)} == {}


def test_pages_are_chinese_by_default(client: FlaskClient) -> None:
    page = client.get("/login")
    assert '<html lang="zh-CN">' in page.get_data(as_text=True)
    assert "用户名" in text_of(page) and "English" in text_of(page)


def test_english_is_chosen_in_the_header_and_kept_for_the_session_and_across_sign_in(
        client: FlaskClient, site: Site) -> None:
    page = client.get("/login")
    assert 'href="/login?lang=en"' in page.get_data(as_text=True)
    english = client.get("/login?lang=en")
    assert '<html lang="en">' in english.get_data(as_text=True) and "User name" in text_of(english)
    site.sign_in(client, "health_user")
    home = text_of(client.get("/"))
    assert "My tasks" in home and "Declare a new project" in home and "中文" in home
    assert "我的待办" in text_of(client.get("/?lang=zh"))
    assert "我的待办" in text_of(client.get("/"))


def test_an_english_task_form_is_in_english(site: Site, journey: Journey) -> None:
    journey.do("health_user", "declare", support.declare(journey.sha))
    page = text_of(site.user("bdc_reviewer").get(f"/tasks/{journey.task_id('review')}?lang=en"))
    assert "Review feasibility study" in page
    assert "Approved budget (yuan)" in page and "Review decision * Approved Send back for revision Rejected" in page
    assert "核定预算" not in page and "评审结论" not in page
    assert "September 30, 2026" in page and "¥1,200,000.00" in page
    assert "Submit" in page


def test_a_form_the_catalogue_does_not_know_shows_field_names_beside_its_own_titles(app: Flask) -> None:
    with app.test_request_context("/?lang=en"):
        assert label("site_survey", {"title": "现场勘查"}) == ("Site survey", "现场勘查")
        assert label("project_name", {"title": "项目名称"}) == ("Project name", "")
    with app.test_request_context("/"):
        assert label("site_survey", {"title": "现场勘查"}) == ("现场勘查", "")


def test_every_text_of_the_shipped_forms_has_an_english_translation() -> None:
    shipped = {text for path in sorted((ROOT / "bpmn" / "forms").glob("*.json"))
               for text in texts(json.loads(path.read_text(encoding="utf-8")))}
    english = _translated(_catalog("en"))
    assert len(shipped) > 100
    assert sorted(shipped - set(english)) == []
    assert not [t for t in shipped if CJK.search(str(english[t]))]
    extracted = {msg for _file, _line, msg, *_rest in
                 extract_from_dir(ROOT, [("bpmn/forms/*.json", "web.form_messages:extract_forms")])}
    assert extracted == shipped


def _entered(value: object) -> list[str]:
    if isinstance(value, dict):
        return [t for v in value.values() for t in _entered(v)]
    if isinstance(value, list):
        return [t for v in value for t in _entered(v)]
    return [value] if isinstance(value, str) else []


def _foreign(text: str, entered: list[str]) -> list[str]:
    """Return the Chinese left in *text* once what people typed, names and the 中文 switch are taken out.

    The card functions are the bureau's data (their names), not texts of the pages.
    """
    names = {name for _user, name, *_rest in USERS} | {name for _code, name, *_rest in FUNCTIONS}
    for item in sorted(set(entered) | names | {"中文", "卡"}, key=len,
                       reverse=True):
        text = text.replace(item, " ")
    return CJK.findall(text)


def test_english_pages_show_the_shipped_forms_in_english(site: Site, journey: Journey) -> None:
    data = [support.declare(journey.sha), support.review(sha=journey.sha), support.assign_bank("bank-icbc"),
            support.decision("plan_review"), support.decision("plan_signoff"), support.SECURE_FUNDS,
            support.PROCUREMENT, support.CONTRACT, support.CONSTRUCTION, support.acceptance(sha=journey.sha),
            support.sign("bdc"), support.sign("hrss"), support.notice("1000000.00", sha=journey.sha),
            support.receipt(), support.paid()]
    entered = _entered(data) + ["可研报告.pdf"]
    clerk = site.user("hrss_clerk")
    declaring = site.user("health_user").get("/projects/new?lang=en")
    assert _foreign(text_of(declaring), entered) == []
    assert "Supplementary declaration" in text_of(declaring) and "IT: software" in text_of(declaring)
    journey.do("health_user", "declare", data[0])
    journey.do("bdc_reviewer", "review", data[1])
    planning = text_of(clerk.get(f"/tasks/{journey.task_id('assign_bank')}?lang=en"))
    assert _foreign(planning, entered) == [] and "ICBC" in planning
    steps = [("hrss_clerk", "assign_bank"), ("hrss_clerk", "plan_prepare"), ("hrss_reviewer", "plan_review"),
             ("hrss_head", "plan_signoff"), ("icbc_user", "bank_confirm"), ("hrss_clerk", "procurement"),
             ("icbc_user", "contract"), ("health_user", "construction"), ("health_user", "acceptance"),
             ("bdc_reviewer", "acceptance_bdc"), ("hrss_reviewer", "acceptance_hrss")]
    plan_data = {"plan_prepare": {}}
    for (username, task), values in zip(steps, [data[2], {}, *data[3:12]]):
        if task in ("plan_prepare", "plan_review", "plan_signoff", "bank_confirm"):
            journey.plan_do(username, task, plan_data.get(task, values))
        else:
            journey.do(username, task, values)
    buying = text_of(clerk.get(f"/projects/{journey.instance_id}?lang=en"))
    journey.do("hrss_clerk", "payment_notice", data[12])
    receiving = text_of(site.user("icbc_user").get(f"/tasks/{journey.task_id('payment_receipt')}?lang=en"))
    assert _foreign(receiving, entered) == [] and "Date of receipt" in receiving
    journey.do("icbc_user", "payment_receipt", data[13])
    journey.do("icbc_user", "payment", data[14])
    project = text_of(clerk.get(f"/projects/{journey.instance_id}?lang=en"))
    assert _foreign(buying, entered) == [] and _foreign(project, entered) == []
    assert "Procurement method Open tender" in project and "Review decision Approved" in project
    assert "Tripartite contract signed Yes" in project


def test_dates_money_stages_and_roles_read_naturally_in_chinese(site: Site, journey: Journey) -> None:
    journey.to_plan("bank-icbc")
    page = text_of(site.user("icbc_user").get(f"/projects/{journey.instance_id}"))
    assert "2026年9月30日" in page and "¥1,150,000.00" in page and "资金使用计划" in page
    assert "合作银行" in page and "计划金额 ¥1,150,000.00" in page
