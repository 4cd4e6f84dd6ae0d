"""Check form data against a task's JSON Schema and our conventions; normalise values.

Conventions beyond JSON Schema: `format: money` (yuan, at most two decimals) with
`moneyMinimum`/`moneyMaximum`, `format: date`, `format: file` (sha256 of a stored file),
`notBefore` (a date no earlier than another field), `x-options` (choices from the host).
"""
from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema import ValidationError as SchemaError
from jsonschema import validators
from jsonschema.exceptions import SchemaError as BadSchema

from services.errors import FieldError, ValidationError

MONEY_RE = re.compile(r"^(0|[1-9][0-9]{0,15})(\.[0-9]{1,2})?$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
FORMATS = FormatChecker()


@FORMATS.checks("money")
def _is_money(value: object) -> bool:
    return not isinstance(value, str) or bool(MONEY_RE.match(value))


@FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    return not isinstance(value, str) or (len(value) == 10 and bool(date.fromisoformat(value)))


@FORMATS.checks("file")
def _is_file(value: object) -> bool:
    return not isinstance(value, str) or bool(SHA256_RE.match(value))


def _money_bound(kind: str) -> Any:
    def check(_validator: Any, bound: Any, instance: Any, _schema: Any) -> Iterator[SchemaError]:
        if not isinstance(instance, str) or not MONEY_RE.match(instance):
            return
        if not isinstance(bound, str) or not MONEY_RE.match(bound.lstrip("-")):
            yield SchemaError("the form's limit could not be worked out", validator=kind)
            return
        amount, limit = Decimal(instance), Decimal(bound)
        if (kind == "moneyMinimum" and amount < limit) or (kind == "moneyMaximum" and amount > limit):
            yield SchemaError(f"{kind} {bound}", validator=kind, validator_value=bound)
    return check


FormValidator = validators.extend(
    Draft202012Validator,
    {"moneyMinimum": _money_bound("moneyMinimum"), "moneyMaximum": _money_bound("moneyMaximum")},
)

MESSAGES: dict[str, str] = {
    "required": "This field is required.",
    "additionalProperties": "Unknown field.",
    "type": "Enter a value of type {expected}.",
    "money": "Enter an amount in yuan with at most two decimals.",
    "date": "Enter a date as YYYY-MM-DD.",
    "file": "Upload a file.",
    "minLength": "Enter at least {limit} characters.",
    "maxLength": "Enter at most {limit} characters.",
    "pattern": "The value is not in the expected format.",
    "choice": "Choose one of the options.",
    "confirm": "This must be confirmed.",
    "minimum": "Enter a number of at least {limit}.",
    "maximum": "Enter a number of at most {limit}.",
    "moneyMinimum": "The amount must be at least ¥{limit}.",
    "moneyMaximum": "The amount must be at most ¥{limit}.",
    "minItems": "Add at least {limit} items.",
    "maxItems": "Add at most {limit} items.",
    "notBefore": "This date must not be earlier than {date}.",
    "notAfter": "This date must not be later than {date}.",
    "invalid": "The value is not valid.",
}


def field_error(path: str, code: str, **params: Any) -> FieldError:
    """Return a FieldError with the standard message for *code*."""
    return FieldError(path, code, MESSAGES[code], params)


def _path(parts: Any) -> str:
    return ".".join(str(p) for p in parts)


def _translate(error: SchemaError) -> list[FieldError]:
    path, kind = _path(error.absolute_path), error.validator
    if kind == "required":
        missing = re.match(r"'(.+)' is a required property", error.message)
        name = missing.group(1) if missing else ""
        return [field_error(_path([*error.absolute_path, name]), "required")]
    if kind == "additionalProperties":
        extras = re.findall(r"'([^']+)'", error.message.split("(")[-1])
        return [field_error(_path([*error.absolute_path, extra]), "additionalProperties") for extra in extras]
    if kind == "format":
        return [field_error(path, error.validator_value if error.validator_value in MESSAGES else "invalid")]
    if kind in ("minLength",) and error.validator_value == 1:
        return [field_error(path, "required")]
    if kind in ("minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems",
                "moneyMinimum", "moneyMaximum"):
        return [field_error(path, kind, limit=error.validator_value)]
    if kind == "type":
        return [field_error(path, "type", expected=error.validator_value)]
    if kind == "const" and error.validator_value is True:
        return [field_error(path, "confirm")]
    if kind in ("oneOf", "enum", "const", "anyOf"):
        return [field_error(path, "choice")]
    if kind == "pattern":
        return [field_error(path, "pattern")]
    return [field_error(path, "invalid")]


def checker_for(schema: Mapping[str, Any]) -> Any:
    """Return a validator for *schema* that also refuses fields the form does not have."""
    closed = dict(schema)
    closed["additionalProperties"] = False
    return FormValidator(closed, format_checker=FORMATS)


@functools.lru_cache(maxsize=512)
def _cached_checker(schema_json: str) -> Any:
    return checker_for(json.loads(schema_json))


def _not_before(schema: Mapping[str, Any], data: Mapping[str, Any]) -> list[FieldError]:
    errors = []
    for name, prop in schema.get("properties", {}).items():
        other = prop.get("notBefore") if isinstance(prop, dict) else None
        if not other or not isinstance(data.get(name), str):
            continue
        earlier = data.get(other, prop.get("x-not-before-value"))
        if isinstance(earlier, str) and data[name] < earlier:
            errors.append(field_error(name, "notBefore", date=earlier))
    return errors


def _not_after_today(schema: Mapping[str, Any], data: Mapping[str, Any], today: date | None) -> list[FieldError]:
    """Refuse dates after *today* in fields marked `"notAfter": "today"` (China's today)."""
    if today is None:
        return []
    return [field_error(name, "notAfter", date=today.isoformat())
            for name, prop in schema.get("properties", {}).items()
            if isinstance(prop, dict) and prop.get("notAfter") == "today" and isinstance(data.get(name), str)
            and _is_date(data[name]) and date.fromisoformat(data[name]) > today]


def normalise(schema: Mapping[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Return *data* with money values written with exactly two decimals."""
    result = dict(data)
    for name, prop in schema.get("properties", {}).items():
        value = result.get(name)
        if isinstance(prop, dict) and prop.get("format") == "money" and isinstance(value, str):
            result[name] = str(Decimal(value).quantize(Decimal("0.01")))
        elif isinstance(prop, dict) and prop.get("type") == "array" and isinstance(value, list):
            result[name] = [normalise(prop.get("items", {}), i) if isinstance(i, dict) else i for i in value]
    return result


def validate(schema: Mapping[str, Any], data: Any, checker: Any = None, today: date | None = None) -> dict[str, Any]:
    """Return normalised *data* if it satisfies *schema*; raise ValidationError with every problem."""
    if not isinstance(data, dict):
        raise ValidationError("Form data must be a JSON object.")
    checker = checker or _cached_checker(json.dumps(schema, sort_keys=True))
    errors: list[FieldError] = []
    for error in checker.iter_errors(data):
        errors.extend(_translate(error))
    format_paths = {e.path for e in errors if e.code in ("money", "date", "file")}
    errors = [e for e in errors if not (e.code == "pattern" and e.path in format_paths)]
    if not errors:
        errors = _not_before(schema, data) + _not_after_today(schema, data, today)
    if errors:
        raise ValidationError("The form has errors", errors)
    return normalise(schema, data)


def file_fields(schema: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, str]:
    """Return {field: sha256} for the file uploads in *data*."""
    return {
        name: data[name]
        for name, prop in schema.get("properties", {}).items()
        if isinstance(prop, dict) and prop.get("format") == "file" and isinstance(data.get(name), str)
    }


def with_options(schema: Mapping[str, Any], options: Mapping[str, list[tuple[str, str]]]) -> dict[str, Any]:
    """Return *schema* with every `x-options` property turned into labelled choices."""
    result = copy.deepcopy(dict(schema))
    for prop in result.get("properties", {}).values():
        source = prop.get("x-options") if isinstance(prop, dict) else None
        if source:
            choices = options.get(source, [])
            prop["oneOf"] = [{"const": value, "title": title} for value, title in choices]
    return result


def check_form_schema(name: str, schema: Mapping[str, Any]) -> None:
    """Raise ValidationError unless *schema* is a valid JSON Schema for a form."""
    try:
        FormValidator.check_schema(schema)
    except BadSchema as exc:
        raise ValidationError(f"form {name}: not a valid JSON Schema: {exc.message}") from exc
    if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        raise ValidationError(f"form {name}: must be an object schema with properties")
