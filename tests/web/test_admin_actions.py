"""Administrators suspend, resume, terminate and reassign from the project page; nobody else can."""
from __future__ import annotations

import pytest

from services.context import Services
from tests import support
from tests.services import samples
from tests.web.site import Site, text_of, token_in


@pytest.fixture
def ids(services: Services) -> dict[str, int]:
    """The five sample projects."""
    return samples.seed(services)


def _page(site: Site, username: str, instance_id: int) -> str:
    return text_of(site.user(username).get(f"/projects/{instance_id}"))


def test_the_actions_are_on_the_project_page_for_administrators_only(site: Site, ids: dict[str, int]) -> None:
    assert "系统管理员操作" in _page(site, "admin", ids["payment"])
    for username in ("supervisor", "hrss_head", "icbc_user"):
        assert "系统管理员操作" not in _page(site, username, ids["payment"])


def test_suspend_and_resume_with_a_reason_show_in_the_history(site: Site, ids: dict[str, int]) -> None:
    admin, url = site.user("admin"), f"/projects/{ids['payment']}"
    done = admin.post(f"/oversight/instances/{ids['payment']}/suspend", {"reason": "核查付款资料"}, token_from=url)
    assert (done.status_code, done.headers["Location"]) == (302, url)
    page = _page(site, "admin", ids["payment"])
    assert "项目已暂停。" in page and "已暂停" in page and "系统管理员暂停项目" in page and "核查付款资料" in page
    assert "恢复" in page
    task = samples.Existing(site.app.extensions["yikatong"], ids["payment"]).task_id("payment")
    refused = site.user("icbc_user").get(f"/tasks/{task}")
    assert refused.status_code == 409 and "项目已暂停" in text_of(refused)
    admin.post(f"/oversight/instances/{ids['payment']}/resume", {"reason": "资料齐全"}, token_from=url)
    assert "系统管理员恢复项目" in _page(site, "supervisor", ids["payment"])
    assert site.user("icbc_user").get(f"/tasks/{task}").status_code == 200


def test_an_action_without_a_reason_is_refused_in_the_form(site: Site, ids: dict[str, int]) -> None:
    url = f"/projects/{ids['payment']}"
    refused = site.user("admin").post(f"/oversight/instances/{ids['payment']}/suspend", {"reason": "  "},
                                      token_from=url)
    assert refused.status_code == 422 and "请填写理由" in text_of(refused)
    assert "已暂停" not in _page(site, "admin", ids["payment"])


def test_terminating_needs_a_confirmation_and_ends_the_project(site: Site, ids: dict[str, int]) -> None:
    admin, url = site.user("admin"), f"/projects/{ids['contract']}"
    unconfirmed = admin.post(f"/oversight/instances/{ids['contract']}/terminate", {"reason": "合同无法签订"},
                             token_from=url)
    assert unconfirmed.status_code == 422 and "请确认终止项目" in text_of(unconfirmed)
    admin.post(f"/oversight/instances/{ids['contract']}/terminate", {"reason": "合同无法签订", "confirm": "yes"},
               token_from=url)
    page = _page(site, "admin", ids["contract"])
    assert "已终止" in page and "系统管理员终止项目" in page and "项目已结束，无法再作更改" in page
    again = admin.post(f"/oversight/instances/{ids['contract']}/resume", {"reason": "x"}, token_from=url)
    assert again.status_code == 409


def test_a_task_is_reassigned_from_the_project_page(site: Site, services: Services, ids: dict[str, int]) -> None:
    project = samples.Existing(services, ids["second_payment"])
    task, url = project.task_id("payment_notice"), f"/projects/{ids['second_payment']}"
    done = site.user("admin").post(f"/oversight/tasks/{task}/reassign",
                                   {"to": "hrss_reviewer", "reason": "王芳休假", "instance_id": ids["second_payment"]},
                                   token_from=url)
    assert done.status_code == 302
    assert "该环节已改由 李强（审核人） 办理" in text_of(site.user("admin").get(url))
    assert "改由 李强（审核人） 办理：王芳休假" in _page(site, "supervisor", ids["second_payment"])
    assert site.user("hrss_clerk").get(f"/tasks/{task}").status_code == 403
    assert site.user("hrss_reviewer").get(f"/tasks/{task}").status_code == 200
    wrong = site.user("admin").post(f"/oversight/tasks/{task}/reassign",
                                    {"to": "icbc_user", "reason": "x", "instance_id": ids["second_payment"]},
                                    token_from=url)
    assert wrong.status_code == 422 and "没有“hrss”角色" in text_of(wrong)


@pytest.mark.parametrize(("username", "status"), [("supervisor", 403), ("hrss_head", 403), ("icbc_user", 403),
                                                  ("abc_user", 404)])
def test_everyone_else_is_refused(site: Site, services: Services, ids: dict[str, int], username: str,
                                  status: int) -> None:
    user = site.user(username)
    task = samples.Existing(services, ids["payment"]).task_id("payment")
    for action in ("suspend", "resume", "terminate"):
        response = user.post(f"/oversight/instances/{ids['payment']}/{action}", {"reason": "x", "confirm": "yes"},
                             token_from="/projects/")
        assert response.status_code == status, action
    response = user.post(f"/oversight/tasks/{task}/reassign", {"to": "icbc_user", "reason": "x"},
                         token_from="/projects/")
    assert response.status_code == status
    assert "已暂停" not in _page(site, "admin", ids["payment"])


def test_the_forms_need_their_csrf_token(site: Site, ids: dict[str, int]) -> None:
    response = site.user("admin").client.post(f"/oversight/instances/{ids['payment']}/suspend",
                                              data={"reason": "x"})
    assert response.status_code == 400


def test_a_suspended_project_cannot_be_completed_through_the_form(site: Site, services: Services,
                                                                  ids: dict[str, int]) -> None:
    task = samples.Existing(services, ids["payment"]).task_id("payment")
    form = site.user("icbc_user").get(f"/tasks/{task}").get_data(as_text=True)
    site.user("admin").post(f"/oversight/instances/{ids['payment']}/suspend", {"reason": "核查"},
                            token_from=f"/projects/{ids['payment']}")
    response = site.user("icbc_user").client.post(
        f"/tasks/{task}", data={**support.paid("2026-09-28"), "csrf_token": token_in(form)})
    assert response.status_code == 409 and "项目已暂停" in text_of(response)
