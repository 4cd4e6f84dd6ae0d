"""Error pages: understandable, with the right status, never a stack trace."""
from __future__ import annotations

from flask.testing import FlaskClient

from tests.web.site import Site, text_of


def test_an_unknown_address_answers_404_with_a_page(site: Site) -> None:
    response = site.user("health_user").get("/no/such/page")
    assert response.status_code == 404 and "页面不存在" in text_of(response)


def test_a_wrong_method_answers_405(site: Site) -> None:
    assert site.user("health_user").get("/projects/1/comments").status_code == 405


def test_the_json_api_is_left_to_its_own_authentication(client: FlaskClient) -> None:
    response = client.get("/api/v1/tasks")
    assert response.status_code == 401
    assert response.is_json
