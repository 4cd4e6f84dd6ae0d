"""Signing in and out: sessions that rotate and end, CSRF on every form, throttling, security headers."""
from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from services.admin import update_user
from services.context import Services
from tests.web.site import Site, text_of, token_in


@pytest.mark.parametrize("url", ["/", "/projects/", "/projects/1", "/tasks/abc", "/admin/users",
                                 "/files/" + "ab" * 32])
def test_every_page_sends_a_stranger_to_the_sign_in_page(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_health_static_files_and_the_sign_in_page_need_no_sign_in(client: FlaskClient) -> None:
    assert client.get("/health").status_code == 200
    assert client.get("/static/style.css").status_code == 200
    page = client.get("/login")
    assert page.status_code == 200
    assert "登录" in text_of(page)
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"


def test_signing_in_opens_the_task_list_under_the_users_name(client: FlaskClient, site: Site) -> None:
    response = site.sign_in(client, "health_user")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = text_of(client.get("/"))
    assert "刘洋（卫健委）" in home and "我的待办" in home


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client: FlaskClient, site: Site) -> None:
    response = site.sign_in(client, "health_user", "not-the-password")
    assert response.status_code == 401
    assert "用户名或密码错误" in text_of(response)
    assert client.get("/").status_code == 302


def test_after_sign_in_the_user_lands_on_the_page_they_wanted_but_never_elsewhere(
        client: FlaskClient, site: Site) -> None:
    wanted = client.get("/projects/?stage=review")
    assert "next=/projects/?stage%3Dreview" in wanted.headers["Location"]
    assert site.sign_in(client, "health_user", next_url="/projects/?stage=review").headers["Location"] \
        == "/projects/?stage=review"
    other = site.app.test_client()
    assert site.sign_in(other, "health_user", next_url="//evil.example/").headers["Location"] == "/"


def test_the_session_cookie_changes_at_sign_in_and_is_dead_after_sign_out(client: FlaskClient, site: Site) -> None:
    client.get("/login")
    before = client.get_cookie("session").value
    site.sign_in(client, "icbc_user")
    signed_in = client.get_cookie("session").value
    assert signed_in != before
    out = client.post("/logout", data={"csrf_token": token_in(client.get("/").get_data(as_text=True))})
    assert out.status_code == 302 and "您已安全退出" in text_of(client.get("/login"))
    replay = site.app.test_client()
    replay.set_cookie("session", signed_in)
    response = replay.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_form_without_its_csrf_token_is_refused_with_a_clear_page(client: FlaskClient, site: Site) -> None:
    response = client.post("/login", data={"username": "health_user", "password": "yikatong-demo"})
    assert response.status_code == 400
    assert "表单已过期" in text_of(response)
    user = site.user("health_user")
    refused = user.client.post("/projects/new", data={})
    assert refused.status_code == 400
    assert "新申报项目" not in text_of(user.get("/"))


def test_repeated_failures_lock_the_sign_in_for_a_while(client: FlaskClient, site: Site) -> None:
    for _ in range(5):
        assert site.sign_in(client, "bdc_reviewer", "wrong-password").status_code == 401
    response = site.sign_in(client, "bdc_reviewer")
    assert response.status_code == 429
    assert "登录失败次数过多" in text_of(response)


def test_a_deactivated_user_cannot_sign_in_and_its_open_session_ends(
        client: FlaskClient, site: Site, services: Services) -> None:
    user = site.user("culture_user")
    update_user(services, None, "culture_user", active=False)
    assert user.get("/").status_code == 302
    assert site.sign_in(client, "culture_user").status_code == 401


def test_pages_carry_the_security_headers(site: Site) -> None:
    response = site.user("health_user").get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "style=" not in response.get_data(as_text=True)
    assert "<script>" not in response.get_data(as_text=True)
