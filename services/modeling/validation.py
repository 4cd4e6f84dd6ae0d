"""The validation report of a diagram and its forms: every problem at once, before any deploy."""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jsonschema.exceptions import SchemaError as BadSchema

from engine.errors import EngineError, ModelError
from engine.expressions import check_expression
from engine.forms import expressions_of
from engine.model import LoadedModel, load_model
from engine.validation import FormUse, Problem, from_model_error, problem, structure_problems
from services.context import OPERATION_NAMES
from services.errors import ValidationError
from services import form_rules
from services.forms import FormValidator, references
from services.modeling.access import LANE_ROLES



@dataclass(frozen=True)
class Report:
    """What validation found; a diagram may be deployed only when the list is empty."""

    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Return True if nothing stands in the way of deploying."""
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        """Return the report as the CLI, the API and the pages show it."""
        return {"ok": self.ok, "problems": [p.as_dict() for p in self.problems]}


class ModelRejected(ValidationError):
    """A diagram with problems was refused; *report* lists them all."""

    def __init__(self, filename: str, report: Report) -> None:
        details = "; ".join(f"element {p.element or '-'}, line {p.line or '-'} [{p.rule}]: {p.message}"
                            for p in report.problems)
        super().__init__(f"{filename}: the diagram has {len(report.problems)} problem(s): {details}")
        self.report = report


def schema_problems(name: str, schema: Any, where: FormUse | None = None) -> list[Problem]:
    """Return every problem of one form schema (already parsed from JSON)."""
    element, line = (where.task, where.line) if where else (None, None)
    if not isinstance(schema, dict) or schema.get("type") != "object" or not isinstance(
            schema.get("properties"), dict):
        return [problem("form-schema", element, line, form=name,
                        detail="须为 type 为 object、带 properties 的对象")]
    found = [problem("form-ref", element, line, form=name, pointer=pointer, keyword=pointer.rsplit("/", 1)[-1])
             for pointer in references(schema)]
    found += [problem("form-convention", element, line, form=name, detail=detail)
              for detail in form_rules.convention_problems(schema)]
    try:
        FormValidator.check_schema(schema)
    except BadSchema as exc:
        found.append(problem("form-schema", element, line, form=name, detail=exc.message))
    for pointer, expression in expressions_of(schema):
        try:
            check_expression(expression)
        except EngineError as exc:
            found.append(problem("form-expression", element, line, form=name, pointer=pointer, detail=str(exc)))
    return found


def parse_form(name: str, data: bytes | str, where: FormUse | None = None) -> tuple[Any, list[Problem]]:
    """Return a form file's JSON value, or the problem that it is not JSON."""
    element, line = (where.task, where.line) if where else (None, None)
    try:
        return json.loads(data), []
    except (ValueError, UnicodeDecodeError) as exc:
        return None, [problem("form-json", element, line, form=name, detail=str(exc))]


def _form_problems(uses: list[FormUse], forms: Mapping[str, bytes]) -> list[Problem]:
    found: list[Problem] = []
    checked: set[str] = set()
    for use in uses:
        if use.form not in forms:
            found.append(problem("form-missing", use.task, use.line, name=use.name, form=use.form))
            continue
        if use.form in checked:
            continue
        checked.add(use.form)
        schema, bad = parse_form(use.form, forms[use.form], use)
        found += bad or schema_problems(use.form, schema, use)
    return found


def inspect_model(bpmn: bytes, forms: Mapping[str, bytes]
                  ) -> tuple[Report, tuple[LoadedModel, bytes] | None]:
    """Validate a diagram with its forms; when clean, also return it loaded (model, serialized spec)."""
    problems, uses = structure_problems(bpmn, OPERATION_NAMES, LANE_ROLES)
    problems += _form_problems(uses, forms)
    if problems:
        return Report(problems), None
    try:
        return Report(), load_model(bpmn, forms, OPERATION_NAMES)
    except ModelError as exc:
        return Report([from_model_error(exc)]), None


def validate_model(bpmn: bytes, forms: Mapping[str, bytes]) -> Report:
    """Return the validation report of a diagram and its forms."""
    return inspect_model(bpmn, forms)[0]
