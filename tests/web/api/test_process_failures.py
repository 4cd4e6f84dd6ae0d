"""A diagram expression that cannot run is answered as a refusal with its reason, never as a 500."""
from __future__ import annotations

from services.context import Services
from services.instances import show_instance
from tests.services.test_process_failures import store_too_deep_condition
from tests.web.api.helpers import Api, form_data


def test_a_step_whose_condition_cannot_run_is_refused_with_the_reason(api: Api, services: Services,
                                                                      sha: str) -> None:
    store_too_deep_condition(services)
    task = api.advance(api.declare(sha), sha, until="review")
    response = api.complete(task, form_data("review", sha))
    assert response.status_code == 422, response.get_json()
    assert "review_gateway" in response.get_json()["message"]
    assert "nested too deeply" in response.get_json()["message"]
    open_tasks = show_instance(services, None, task["instance_id"])["open_tasks"]
    assert [t["id"] for t in open_tasks] == [task["id"]]
