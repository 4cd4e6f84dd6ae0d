"""Administration pages: users, roles, organisations — for the admin role only."""
from __future__ import annotations

import re

import pytest

from services.admin import list_organizations, list_users
from services.calendar import admin as calendar_admin
from services.context import Services
from tests.web.site import Site, text_of


def _user(services: Services, username: str) -> dict:
    return next(u for u in list_users(services) if u["username"] == username)


@pytest.mark.parametrize("url", ["/admin/users", "/admin/users/new", "/admin/users/health_user",
                                 "/admin/organizations"])
def test_only_an_administrator_may_open_the_admin_pages(site: Site, url: str) -> None:
    assert site.user("hrss_head").get(url).status_code == 403
    assert site.user("admin").get(url).status_code == 200


def test_the_administration_link_is_shown_to_administrators_only(site: Site) -> None:
    assert "系统管理" in text_of(site.user("admin").get("/", follow_redirects=True))
    assert "系统管理" not in text_of(site.user("hrss_clerk").get("/"))


def test_the_user_list_shows_organisations_and_roles(site: Site) -> None:
    text = text_of(site.user("admin").get("/admin/users"))
    assert "icbc_user" in text and "bank-icbc" in text and "合作银行" in text and "局负责人" in text
    assert "中国工商银行太仓分行 bank-icbc" in text, "the organisation by name, its code beside it"
    assert "ICBC Taicang Branch bank-icbc" in text_of(site.user("admin").get("/admin/users?lang=en"))


def test_an_administrator_creates_a_user_who_can_then_sign_in(site: Site, services: Services) -> None:
    admin = site.user("admin")
    data = {"username": "boc_user", "display_name": "王五（中国银行）", "password": "a-long-password",
            "organization": "bank-icbc", "roles": ["bank"]}
    assert admin.post("/admin/users/new", data, token_from="/admin/users/new").status_code == 302
    assert _user(services, "boc_user")["roles"] == ["bank"]
    fresh = site.app.test_client()
    assert site.sign_in(fresh, "boc_user", "a-long-password").status_code == 302


def test_a_refused_user_is_shown_again_with_the_reason(site: Site) -> None:
    admin = site.user("admin")
    short = admin.post("/admin/users/new", {"username": "x1y", "password": "short", "organization": "hrss",
                                            "roles": ["hrss"]}, token_from="/admin/users/new")
    assert short.status_code == 422 and "密码至少需要 8 个字符" in text_of(short)
    assert 'value="x1y"' in short.get_data(as_text=True)
    taken = admin.post("/admin/users/new", {"username": "icbc_user", "password": "long-enough-1",
                                            "organization": "hrss", "roles": ["hrss"]},
                       token_from="/admin/users/new")
    assert taken.status_code == 409


def test_an_administrator_changes_roles_organisation_and_deactivates(site: Site, services: Services) -> None:
    admin, url = site.user("admin"), "/admin/users/abc_user"
    data = {"display_name": "吴昊", "organization": "bank-trcb", "roles": ["bank", "supervisor"]}
    assert admin.post(url, data, token_from=url).status_code == 302
    changed = _user(services, "abc_user")
    assert changed["organization"] == "bank-trcb" and changed["roles"] == ["bank", "supervisor"]
    assert changed["is_active"] is False
    assert site.sign_in(site.app.test_client(), "abc_user").status_code == 401


def test_an_administrator_resets_a_password(site: Site, services: Services) -> None:
    admin, url = site.user("admin"), "/admin/users/trcb_user"
    data = {"display_name": "郑丽", "organization": "bank-trcb", "roles": ["bank"], "active": "on",
            "password": "new-password-1"}
    assert admin.post(url, data, token_from=url).status_code == 302
    assert site.sign_in(site.app.test_client(), "trcb_user").status_code == 401
    assert site.sign_in(site.app.test_client(), "trcb_user", "new-password-1").status_code == 302


def test_an_administrator_creates_an_organisation(site: Site, services: Services) -> None:
    admin, url = site.user("admin"), "/admin/organizations"
    data = {"code": "bank-boc", "name": "中国银行太仓分行", "name_en": "Bank of China Taicang", "kind": "bank"}
    assert admin.post(url, data, token_from=url).status_code == 302
    assert any(o["code"] == "bank-boc" for o in list_organizations(services))
    bad = admin.post(url, {"code": "Bad Code", "name": "", "kind": "bank"}, token_from=url)
    assert bad.status_code == 422 and "单位须填写代码" in text_of(bad)


def test_an_administrator_sets_changes_and_removes_an_e_mail_address(site: Site, services: Services) -> None:
    admin = site.user("admin")
    data = {"username": "boc_user", "display_name": "王五", "password": "a-long-password",
            "organization": "bank-icbc", "roles": ["bank"], "email": " Wang.Wu@Example.CN "}
    assert admin.post("/admin/users/new", data, token_from="/admin/users/new").status_code == 302
    assert _user(services, "boc_user")["email"] == "Wang.Wu@example.cn", "trimmed, the domain in lower case"
    assert "Wang.Wu@example.cn" in text_of(admin.get("/admin/users"))
    url = "/admin/users/boc_user"
    assert 'value="Wang.Wu@example.cn"' in admin.get(url).get_data(as_text=True)
    edit = {"display_name": "王五", "organization": "bank-icbc", "roles": ["bank"], "active": "on"}
    assert admin.post(url, {**edit, "email": "wu@boc.example.cn"}, token_from=url).status_code == 302
    assert _user(services, "boc_user")["email"] == "wu@boc.example.cn"
    assert admin.post(url, edit, token_from=url).status_code == 302
    assert _user(services, "boc_user")["email"] == "wu@boc.example.cn", "a form without the field keeps it"
    assert admin.post(url, {**edit, "email": ""}, token_from=url).status_code == 302
    assert _user(services, "boc_user")["email"] is None


@pytest.mark.parametrize("address", ["wang", "wang@", "@example.cn", "wang@example", "wang wu@example.cn",
                                     "wang@@example.cn", "wang@example..cn"])
def test_a_malformed_e_mail_address_is_refused_and_changes_nothing(site: Site, services: Services,
                                                                   address: str) -> None:
    admin, url = site.user("admin"), "/admin/users/icbc_user"
    edit = {"display_name": "改名", "organization": "bank-icbc", "roles": ["bank"], "active": "on"}
    refused = admin.post(url, {**edit, "email": address}, token_from=url)
    assert refused.status_code == 422 and "请填写有效的电子邮箱地址" in text_of(refused)
    assert f'value="{address}"' in refused.get_data(as_text=True), "the form comes back as typed"
    user = _user(services, "icbc_user")
    assert user["email"] is None and user["display_name"] != "改名"
    new = admin.post("/admin/users/new", {"username": "boc_user", "password": "a-long-password",
                                          "organization": "bank-icbc", "roles": ["bank"], "email": address},
                     token_from="/admin/users/new")
    assert new.status_code == 422 and all(u["username"] != "boc_user" for u in list_users(services))


def _field_error(html: str, field_id: str) -> str:
    """Return the error shown right after the field with id *field_id* ('' when there is none)."""
    found = re.search(rf'<input [^>]*id="{field_id}"[^>]*>\s*(?:<p class="field-error"[^>]*>([^<]*)</p>)?', html)
    assert found, f"no field {field_id}"
    return found.group(1) or ""


def test_a_calendar_override_asks_for_a_date_and_names_each_error_beside_its_field(site: Site,
                                                                                   services: Services) -> None:
    admin = site.user("admin")
    page = admin.get("/admin/calendar?year=2027").get_data(as_text=True)
    assert re.search(r'<input type="date" id="day" name="day"', page)
    empty = admin.post("/admin/calendar/overrides?year=2027", {"day": "", "kind": "rest", "name": "春节",
                                                               "source": ""}, token_from="/admin/calendar")
    html = empty.get_data(as_text=True)
    assert empty.status_code == 422 and _field_error(html, "day") == "此项为必填项。"
    assert _field_error(html, "source") == "此项为必填项。" and _field_error(html, "name") == ""
    assert 'role="alert"' not in html.split('class="context"', 1)[0].split("</form>", 1)[1]
    assert 'value="春节"' in html, "what was typed stays in the form"
    wrong = admin.post("/admin/calendar/overrides?year=2027", {"day": "2027/02/20", "kind": "workday",
                                                               "name": "春节调休上班", "source": "国办发明电"},
                       token_from="/admin/calendar")
    assert wrong.status_code == 422 and "格式填写日期" in _field_error(wrong.get_data(as_text=True), "day")
    far = admin.post("/admin/calendar/overrides?lang=en", {"day": "2199-02-20", "kind": "rest", "name": "x",
                                                           "source": "y"}, token_from="/admin/calendar")
    assert _field_error(far.get_data(as_text=True), "day") == "The year must be between 2004 and 2099."
    assert calendar_admin.year_page(services, None, 2027)["overrides"] == []
