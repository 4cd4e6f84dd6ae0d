"""A form may not refer to other schemas: refused at deploy, and never fetched even if already stored."""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import func, select

from models.tables import process_instance, process_model
from services.context import Services
from services.errors import ValidationError
from services.files import store_file
from services.forms import validate
from services.instances import start_instance
from services.process_models import deploy
from services.users import load_actor
from tests import support
from tests.services.journey import PDF
from tests.services.unchecked import store_unchecked


class Recorder(BaseHTTPRequestHandler):
    """Answers every GET with a schema any string satisfies, and remembers that it was asked."""

    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the http.server interface
        self.hits.append(self.path)
        body = b'{"type": "string"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def schema_server() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server on 127.0.0.1 that records every request: (base URL, requested paths)."""
    hits: list[str] = []
    handler = type("Handler", (Recorder,), {"hits": hits})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def _forms_with(name: str, change: Any) -> dict[str, bytes]:
    forms = support.read_forms()
    schema = json.loads(forms[name])
    change(schema)
    return {**forms, name: json.dumps(schema, ensure_ascii=False).encode()}


def _count(ctx: Services, table: Any) -> int:
    with ctx.db.read() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


@pytest.mark.parametrize(("keyword", "pointer"), [
    ("$ref", "/properties/project_name/$ref"), ("$id", "/properties/project_name/$id")])
def test_a_form_that_refers_to_another_schema_is_refused_at_deploy(
        services: Services, schema_server: tuple[str, list[str]], keyword: str, pointer: str) -> None:
    url, hits = schema_server
    forms = _forms_with("declare.json", lambda s: s["properties"]["project_name"].update({keyword: f"{url}/s.json"}))
    stored = _count(services, process_model)
    with pytest.raises(ValidationError) as caught:
        deploy(services, support.FUND_PROJECT.read_bytes(), forms, "fund_project.bpmn")
    assert "declare.json" in caught.value.message and pointer in caught.value.message
    assert (_count(services, process_model), hits) == (stored, [])


def test_a_reference_deep_inside_a_form_is_found_too(services: Services) -> None:
    forms = _forms_with("declare.json", lambda s: s["properties"]["budget_lines"]["items"]["properties"]
                        ["line_item"].update({"allOf": [{"$ref": "#/$defs/x"}]}))
    with pytest.raises(ValidationError, match="/properties/budget_lines/items/properties/line_item/allOf/0/"):
        deploy(services, support.FUND_PROJECT.read_bytes(), forms, "fund_project.bpmn")


def test_a_stored_form_with_a_remote_reference_is_never_fetched(
        services: Services, schema_server: tuple[str, list[str]]) -> None:
    url, hits = schema_server

    def refer(forms: dict[str, dict[str, Any]]) -> None:
        forms["declare.json"]["properties"]["project_name"]["$ref"] = f"{url}/schema.json"

    store_unchecked(services, forms=refer)
    department = load_actor(services, "health_user")
    sha = store_file(services, department, "report.pdf", PDF)["sha256"]
    before = _count(services, process_instance)
    with pytest.raises(ValidationError, match="refers to another schema"):
        start_instance(services, department, "fund_project", support.declare(sha))
    assert (hits, _count(services, process_instance)) == ([], before)


def test_validation_resolves_no_remote_reference(schema_server: tuple[str, list[str]]) -> None:
    url, hits = schema_server
    schema = {"type": "object", "properties": {"a": {"$ref": f"{url}/a.json"}}}
    with pytest.raises(ValidationError):
        validate(schema, {"a": "x"})
    assert hits == []
