"""One project driven through the API alone, by the right user at every step, until the bank has paid."""
from __future__ import annotations

from typing import Any

from tests import support
from tests.web.api.helpers import Api, form_data, user_for


def _step(api: Api, task: dict[str, Any], sha: str) -> list[dict[str, Any]]:
    user = user_for(task)
    listed = api.get("/api/v1/tasks", user).get_json()["items"]
    assert task["id"] in [t["id"] for t in listed], f"{task['name']} is not in {user}'s list"
    shown = api.get(f"/api/v1/tasks/{task['id']}", user).get_json()
    assert shown["can_complete"] is True and shown["lane"] == task["lane"]
    assert set(form_data(task["name"], sha)) <= set(shown["form"]["properties"])
    done = api.complete(task, form_data(task["name"], sha))
    assert done.status_code == 200, (task["name"], done.get_json())
    assert task["id"] not in [t["id"] for t in api.get("/api/v1/tasks", user).get_json()["items"]]
    return done.get_json()["ready"]


def test_a_project_goes_from_declaration_to_payment_through_the_api(api: Api) -> None:
    uploaded = api.upload("health_user", name="可行性研究报告.pdf")
    assert uploaded.status_code == 201, uploaded.get_json()
    sha = uploaded.get_json()["sha256"]
    started = api.post("/api/v1/projects", "health_user").get_json()
    ready, done = started["ready"], []
    path = f"/api/v1/projects/{started['instance_id']}"
    while True:
        if not ready and done and done[-1] == "assign_bank":
            ready = [api.newest_plan_task()]  # the project waits while its bank's plan runs
        elif not ready and done and done[-1] == "bank_confirm":
            ready = api.get(path, "hrss_clerk").get_json()["open_tasks"]  # the confirmed plan moved it on
        if not ready:
            break
        done.append(ready[0]["name"])
        ready = _step(api, ready[0], sha)
        assert len(done) < 30, "the process does not end"
    project = api.get(f"/api/v1/projects/{started['instance_id']}", "icbc_user").get_json()
    assert project["status"] == "completed" and project["open_tasks"] == []
    assert project["bank"] == support.plan_prepare()["bank"]
    price = support.PROCUREMENT["contract_price"]
    assert project["project"]["contract_price"] == project["project"]["paid_total"] == price
    assert [(p["instalment"], p["amount"]) for p in project["payments"]] == [(1, price)]
    assert {d["sha256"] for d in project["documents"]} == {sha}
    completed = [t["name"] for t in project["tasks"] if t["status"] == "completed"]
    plan_steps = {"plan_prepare", "plan_review", "plan_signoff", "bank_confirm"}
    assert sorted(completed) == sorted(name for name in done if name not in plan_steps)
    assert {"declare", "review", "assign_bank", "plan_signoff", "bank_confirm", "contract", "payment"} <= set(done)
    listed = api.get("/api/v1/projects", "health_user", status="completed").get_json()["items"]
    assert [p["instance_id"] for p in listed] == [started["instance_id"]]
    assert api.get(f"/api/v1/projects/{started['instance_id']}", "abc_user").status_code == 404
