"""The bureau maintains the card function list; a declaration picks an active function from it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models.tables import card_function, project
from services.context import Services
from services.declaration.functions import add_function, delete_function, list_functions, update_function
from services.errors import ConflictError, PermissionDenied, ValidationError
from services.task_pages import task_page
from services.users import load_actor
from tests import support
from tests.services.journey import Journey

NEW = {"code": "health-vaccine", "name": "疫苗接种登记", "description": "持卡预约接种。", "department": "dept-health"}


def test_the_demo_list_has_functions_for_each_department(services: Services) -> None:
    rows = list_functions(services)
    assert {r["department"] for r in rows} == {"dept-health", "dept-transport", "dept-culture"}
    assert {"公交乘车", "就医结算", "文旅场馆入园"} <= {r["name"] for r in rows}


def test_the_bureau_adds_edits_and_deactivates_a_function(services: Services) -> None:
    clerk = load_actor(services, "hrss_clerk")
    added = add_function(services, clerk, NEW)
    assert (added["name"], added["department"], added["active"], added["uses"]) == ("疫苗接种登记", "dept-health",
                                                                                   True, 0)
    changed = update_function(services, clerk, "health-vaccine", {"name": "预防接种", "department": "dept-culture"})
    assert (changed["name"], changed["department"], changed["code"]) == ("预防接种", "dept-culture", "health-vaccine")
    assert update_function(services, clerk, "health-vaccine", {"active": False})["active"] is False
    assert "health-vaccine" not in {r["code"] for r in list_functions(services, active_only=True)}


@pytest.mark.parametrize(("values", "errors"), [
    ({**NEW, "code": "Bad Code"}, {"code": "pattern"}),
    ({**NEW, "name": " "}, {"name": "required"}),
    ({**NEW, "department": "bank-icbc"}, {"department": "choice"}),
    ({**NEW, "name": "公交乘车"}, {"name": "taken"}),
    ({**NEW, "code": "transit-bus"}, {"code": "taken"}),
    ({**NEW, "description": "长" * 2001}, {"description": "maxLength"}),
])
def test_bad_functions_are_refused_with_field_messages(services: Services, values: dict[str, str],
                                                       errors: dict[str, str]) -> None:
    before = list_functions(services)
    with pytest.raises(ValidationError) as caught:
        add_function(services, load_actor(services, "hrss_clerk"), values)
    assert {e.path: e.code for e in caught.value.fields} == errors
    assert list_functions(services) == before


@pytest.mark.parametrize("user", ["supervisor", "hrss_head", "health_user", "icbc_user", "admin"])
def test_only_the_bureau_maintains_the_list(services: Services, user: str) -> None:
    actor = load_actor(services, user)
    with pytest.raises(PermissionDenied):
        add_function(services, actor, NEW)
    with pytest.raises(PermissionDenied):
        update_function(services, actor, "transit-bus", {"active": False})


def test_a_declaration_picks_an_active_function_and_an_inactive_one_is_refused(services: Services) -> None:
    clerk = load_actor(services, "hrss_clerk")
    j = Journey(services)
    form = task_page(services, j.actor("health_user"), j.task_id("declare"))["form"]
    choices = {c["const"]: c["title"] for c in form["properties"]["card_function"]["oneOf"]}
    assert choices["transit-bus"] == "公交乘车" and len(choices) == 6
    update_function(services, clerk, "culture-library", {"active": False})
    with pytest.raises(ValidationError) as caught:
        j.do("health_user", "declare", support.declare(j.sha, card_function="culture-library"))
    assert {e.path: e.code for e in caught.value.fields} == {"card_function": "choice"}
    j.do("health_user", "declare", support.declare(j.sha, card_function="health-settlement"))
    assert j.show()["project"]["card_function_name"] == "就医结算"
    with services.db.read() as conn:
        used = conn.execute(select(card_function.c.code).join(project, project.c.card_function_id == card_function.c.id)
                            ).scalars().all()
    assert used == ["health-settlement"]


def test_a_used_function_is_never_deleted_an_unused_one_may_be(services: Services) -> None:
    clerk = load_actor(services, "hrss_clerk")
    j = Journey(services)
    j.do("health_user", "declare", support.declare(j.sha, card_function="health-settlement"))
    with pytest.raises(ConflictError):
        delete_function(services, clerk, "health-settlement")
    add_function(services, clerk, NEW)
    delete_function(services, clerk, "health-vaccine")
    assert "health-vaccine" not in {r["code"] for r in list_functions(services)}
    assert next(r for r in list_functions(services) if r["code"] == "health-settlement")["uses"] == 1
