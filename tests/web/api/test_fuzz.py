"""schemathesis against the live API: as every role, no 5xx, and every answer is one the document describes.

Generated requests are sent as a department user, the BDC, a bank, the supervisor, the bureau and
without a token (in turn; every request as every role in the long form); a schema-valid request is sent again with its path naming a real object the user
may see (a task waiting for them, a demo project, a card function …). Checks: no server error, the
status code and content type are documented, the body conforms to the documented schema (errors to
`Error`), schema-valid input is not refused as malformed (400), schema-invalid input is refused,
unsupported methods get 405 with `Allow`.

Short by default: a few examples per operation and mode, each request sent as the next role in turn
(under a minute per database). `YIKATONG_FUZZ_EXAMPLES=200 YIKATONG_FUZZ_EVERY_ROLE=1 pytest
tests/web/api/test_fuzz.py` runs it longer, every request as every role.
"""
from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import allow_header_conformance, positive_data_acceptance

from tests.conftest import BACKENDS
from tests.web.api.live import LiveApi, live_api
from web.api.openapi import document

EXAMPLES = int(os.environ.get("YIKATONG_FUZZ_EXAMPLES", "3"))
EVERY_ROLE = os.environ.get("YIKATONG_FUZZ_EVERY_ROLE") == "1"
ROLES = ("health_user", "bdc_reviewer", "icbc_user", "supervisor", "hrss_clerk", None)
TURNS = itertools.cycle(ROLES)
# GET /process-models/validate is a request for the process model named "validate" (404 unless one is
# deployed), so OPTIONS there truthfully allows GET although the document lists only POST for that path.
SHARED_PATH = "/api/v1/process-models/validate"
# Form files are multipart parts named like declare.json; OpenAPI 3.0 cannot constrain the names of
# parts, so a schema-valid upload may still be a 400 that names the part.
NAMED_PARTS = {"/api/v1/process-models", SHARED_PATH}
# 422 is the documented answer to schema-valid values that break a form's or a record's rules
# (a required form field, an unknown department …); a 400 would mean the document promises too much.
ACCEPTED = ["2xx", "401", "403", "404", "409", "422", "429"]
CONFIG = schemathesis.Config.from_dict({
    "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}},
    "generation": {"max-examples": EXAMPLES},
})
schema = schemathesis.openapi.from_dict(document(), config=CONFIG)


@schema.hook
def filter_query(_context: schemathesis.HookContext, query: dict[str, Any] | None) -> bool:
    """Send no empty query values: documented as allowEmptyValue (taken as absent), checked below."""
    return not any(value == "" for value in (query or {}).values())


@pytest.fixture(scope="module", params=BACKENDS)
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApi]:
    """The API served by waitress on a demo database (one per backend for the whole module)."""
    with pytest.MonkeyPatch.context() as monkeypatch, \
            live_api(request.param, request, tmp_path_factory.mktemp("live"), monkeypatch) as served:
        yield served


def test_the_server_publishes_this_document(live: LiveApi) -> None:
    import requests

    assert requests.get(f"{live.url}/api/v1/openapi.json", timeout=10).json() == document()


def _headers(live: LiveApi, case: schemathesis.Case, user: str | None) -> dict[str, str]:
    if user is None:
        return {}
    revoking = case.operation.path == "/api/v1/tokens/current"
    return {"Authorization": f"Bearer {live.mint(user) if revoking else live.token(user)}"}


def _on_real_objects(live: LiveApi, case: schemathesis.Case, user: str) -> schemathesis.Case | None:
    """Return a copy of a schema-valid *case* whose path names real objects, if it has such parameters."""
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE or not case.path_parameters:
        return None
    known = live.real_ids(user)
    values: dict[str, Any] = dict(case.path_parameters)
    for index, name in enumerate(sorted(values)):
        if known.get(name):
            values[name] = known[name][(hash(str(values[name])) + index) % len(known[name])]
    if values == case.path_parameters:
        return None
    real = case.derive()
    real.path_parameters = values
    return real


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_answer_is_documented(case: schemathesis.Case, live: LiveApi) -> None:
    public = case.operation.definition.raw.get("security") == []
    excluded = [allow_header_conformance] if case.operation.path == SHARED_PATH else []
    excluded += [positive_data_acceptance] if case.operation.path in NAMED_PARTS else []
    for user in (None,) if public else ROLES if EVERY_ROLE else (next(TURNS),):
        case.call_and_validate(base_url=live.url, headers=_headers(live, case, user), excluded_checks=excluded)
        real = None if user is None else _on_real_objects(live, case, user)
        if real is not None:
            real.call_and_validate(base_url=live.url, headers=_headers(live, real, user), excluded_checks=excluded)


def test_empty_query_values_count_as_absent(live: LiveApi) -> None:
    import requests

    headers = {"Authorization": f"Bearer {live.token('supervisor')}"}
    for path in ("/api/v1/tasks?limit=&year=", "/api/v1/projects?page=&year=&q=", "/api/v1/dashboard?overdue=&page="):
        empty = requests.get(f"{live.url}{path}", headers=headers, timeout=30)
        plain = requests.get(f"{live.url}{path.split('?')[0]}", headers=headers, timeout=30)
        assert empty.status_code == 200 and empty.json() == plain.json(), path
