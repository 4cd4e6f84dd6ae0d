"""When a stored diagram's expression cannot run, the step is refused with a message and nothing changes."""
from __future__ import annotations

import pytest

from services.context import Services
from services.errors import ValidationError
from services.process_models import deploy
from tests import support
from tests.services.journey import Journey
from tests.services.unchecked import store_unchecked

APPROVE = '"condition":"review_decision == \\"approve\\""'
TOO_DEEP = '"condition":"' + "-" * 1500 + '1 == 1 and review_decision == \\"approve\\""'


def store_too_deep_condition(ctx: Services) -> None:
    """Store a version of the fund project whose review gateway has a condition too deep to evaluate."""
    def change(spec: str) -> str:
        assert APPROVE in spec
        return spec.replace(APPROVE, TOO_DEEP)
    store_unchecked(ctx, spec=change)


def test_a_condition_that_cannot_run_refuses_the_step_and_changes_nothing(services: Services) -> None:
    store_too_deep_condition(services)
    j = Journey(services)
    j.do("health_user", "declare", support.declare(j.sha))
    before = j.show()
    with pytest.raises(ValidationError, match="could not continue.*nested too deeply"):
        j.do("bdc_reviewer", "review", support.review(sha=j.sha))
    after = j.show()
    assert (after["updated_at"], after["tasks"], after["history"]) == (
        before["updated_at"], before["tasks"], before["history"])
    assert j.open_names() == ["review"]


def test_a_condition_too_deep_to_run_is_refused_at_deploy_naming_its_flow(services: Services) -> None:
    original = support.FUND_PROJECT.read_bytes()
    condition = b"money(paid_total) &lt; money(contract_price)"
    assert condition in original
    deep = original.replace(condition, b"-" * 1500 + b"1 &lt; 0")
    with pytest.raises(ValidationError, match="element flow_payment_next.*nested too deeply"):
        deploy(services, deep, support.read_forms(), "fund_project.bpmn")
