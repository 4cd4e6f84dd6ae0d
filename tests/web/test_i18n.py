"""Chinese by default, English on request; catalogues complete and compiled; dates and money for readers."""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

from services.forms import MESSAGES
from tests import support
from tests.services.journey import Journey
from tests.web.site import Site, text_of

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "web" / "translations"
METHODS = [("web/**.py", "python"), ("web/templates/**.html", "jinja2")]
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


def test_an_english_task_form_names_fields_in_english_beside_the_chinese_title(site: Site,
                                                                            journey: Journey) -> None:
    journey.do("health_user", "declare", support.declare(journey.sha))
    page = text_of(site.user("bdc_reviewer").get(f"/tasks/{journey.task_id('review')}?lang=en"))
    assert "Review feasibility study" in page
    assert "Approved budget 核定预算（元）" in page and "Review decision * 评审结论" in page
    assert "September 21, 2026" in page and "¥1,200,000.00" in page
    assert "Submit" in page


def test_dates_money_stages_and_roles_read_naturally_in_chinese(site: Site, journey: Journey) -> None:
    journey.to_plan("bank-icbc")
    page = text_of(site.user("icbc_user").get(f"/projects/{journey.instance_id}"))
    assert "2026年9月21日" in page and "¥1,150,000.00" in page and "资金保障" in page
    assert "合作银行" in page and "计划金额 ¥1,150,000.00" in page
