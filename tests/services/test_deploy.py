"""Deploying diagrams: one stored version per content, refusals store nothing, running projects keep theirs."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models.tables import process_model
from services.context import Services
from services.errors import ValidationError
from services.process_models import deploy, list_models
from tests import support
from tests.services.journey import Journey


def model_count(ctx: Services) -> int:
    with ctx.db.read() as conn:
        return conn.execute(select(func.count()).select_from(process_model)).scalar_one()


def test_deploying_the_same_diagram_again_changes_nothing(services: Services) -> None:
    before = model_count(services)
    result = deploy(services, support.FUND_PROJECT.read_bytes(), support.read_forms(), "fund_project.bpmn")
    assert (result["process_id"], result["version"], result["created"]) == ("fund_project", 1, False)
    assert model_count(services) == before


def test_a_revised_diagram_is_a_new_version_and_running_projects_keep_theirs(services: Services) -> None:
    j = Journey(services)
    j.do("health_user", "declare", support.declare(j.sha))
    revised = support.FUND_PROJECT.read_bytes().replace("可行性研究报告评审".encode(), "可研评审".encode())
    result = deploy(services, revised, support.read_forms(), "fund_project.bpmn")
    assert (result["version"], result["created"]) == (2, True)
    assert [m["version"] for m in list_models(services) if m["process_id"] == "fund_project"] == [2, 1]
    assert j.show()["model_version"] == 1
    assert j.show()["open_tasks"][0]["title"] == "可行性研究报告评审"
    j.do("bdc_reviewer", "review", support.review(sha=j.sha))
    assert j.open_names() == ["assign_bank"]
    assert Journey(services).show()["model_version"] == 2


@pytest.mark.parametrize(("change", "reason"), [
    ((b"money(paid_total) &lt; money(contract_price)", b"__import__('os').system('id')"), "flow_payment_next"),
    ((b'<?xml version="1.0" encoding="UTF-8"?>', b'<?xml version="1.0"?><!DOCTYPE d>'), "DOCTYPE"),
    (('<bpmn:userTask id="review" name="可行性研究报告评审">'.encode(),
      '<bpmn:userTask id="review" name="评审"><bpmn:standardLoopCharacteristics/>'.encode()),
     "element review.*standardLoopCharacteristics"),
])
def test_an_unsafe_or_invalid_diagram_is_refused_and_nothing_is_stored(
        services: Services, change: tuple[bytes, bytes], reason: str) -> None:
    original, before = support.FUND_PROJECT.read_bytes(), model_count(services)
    assert change[0] in original
    with pytest.raises(ValidationError, match=reason):
        deploy(services, original.replace(*change), support.read_forms(), "fund_project.bpmn")
    assert model_count(services) == before


def test_a_broken_form_is_refused(services: Services) -> None:
    forms = {**support.read_forms(), "review.json": b'{"type": "object", "properties": {"a": {"type": 7}}}'}
    before = model_count(services)
    with pytest.raises(ValidationError, match="review.json"):
        deploy(services, support.FUND_PROJECT.read_bytes(), forms, "fund_project.bpmn")
    assert model_count(services) == before
