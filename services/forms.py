"""Check form data against a task's JSON Schema and our conventions; normalise values.

Conventions beyond JSON Schema: `format: money` (yuan, at most two decimals) with
`moneyMinimum`/`moneyMaximum`, `format: date` (YYYY-MM-DD only), `format: file` (sha256 of a
stored file), `x-options` (choices from the host), `x-supplied` (a value the host decides, e.g.
the declaration round), `readOnly` (shown, never taken from the person: a submitted value must
equal the form's own), and the cross-field rules of services/form_rules.py (`notBefore`,
`notAfter`, ...).
`x-sends-back` on a deciding field (`{"values": [...], "reason": "<field>"}`) tells which choices
send the work back for revision and which field holds the reason; the task that runs again is
marked as returned (services/returns.py).
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
from referencing import Registry
from referencing.exceptions import Unresolvable

from services import form_rules
from services.clock import Clock, parse_date
from services.errors import FieldError, ValidationError
from services.input_limits import check_depth
from services.money.text import money_text

MONEY_RE = re.compile(r"^(0|[1-9][0-9]{0,15})(\.[0-9]{1,2})?$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
FORMATS = FormatChecker()
# Resolves nothing beyond the JSON Schema specifications themselves: no URL is ever fetched.
NO_RETRIEVAL: Registry[Any] = Registry()
REFERENCE_KEYWORDS = frozenset({"$ref", "$dynamicRef", "$recursiveRef", "$id", "$anchor", "$dynamicAnchor",
                                "$recursiveAnchor"})
UNRESOLVABLE = ("This step's form refers to another schema, which is not allowed; "
                "the process owner must correct the diagram.")


@FORMATS.checks("money")
def _is_money(value: object) -> bool:
    return not isinstance(value, str) or bool(MONEY_RE.match(value))


@FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    return not isinstance(value, str) or bool(parse_date(value))


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


def _is_whole_number(_checker: Any, instance: object) -> bool:
    """`integer` means a JSON integer: 2027.0 or 1e3 (floats to JSON parsers) are not whole numbers here."""
    return isinstance(instance, int) and not isinstance(instance, bool)


FormValidator = validators.extend(
    Draft202012Validator,
    {"moneyMinimum": _money_bound("moneyMinimum"), "moneyMaximum": _money_bound("moneyMaximum")},
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_whole_number),
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
    "moneyMinimum": "The amount must be at least {limit}.",
    "moneyMaximum": "The amount must be at most {limit}.",
    "minItems": "Add at least {limit} items.",
    "maxItems": "Add at most {limit} items.",
    "readOnly": "This value is set by the system and cannot be changed.",
    "invalid": "The value is not valid.",
    **form_rules.MESSAGES,
}


NOT_BLANK = r"\S"  # the pattern of a text that must say something: a blank one counts as missing


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
    if kind in ("moneyMinimum", "moneyMaximum"):
        return [field_error(path, kind, limit=money_text(error.validator_value))]
    if kind in ("minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems"):
        return [field_error(path, kind, limit=error.validator_value)]
    if kind == "type":
        return [field_error(path, "type", expected=error.validator_value)]
    if kind == "const" and error.validator_value is True:
        return [field_error(path, "confirm")]
    if kind in ("oneOf", "enum", "const", "anyOf"):
        return [field_error(path, "choice")]
    if kind == "pattern":
        return [field_error(path, "required" if error.validator_value == NOT_BLANK else "pattern")]
    return [field_error(path, "invalid")]


def checker_for(schema: Mapping[str, Any]) -> Any:
    """Return a validator for *schema* that also refuses fields the form does not have."""
    closed = dict(schema)
    closed["additionalProperties"] = False
    return FormValidator(closed, format_checker=FORMATS, registry=NO_RETRIEVAL)


@functools.lru_cache(maxsize=512)
def _cached_checker(schema_json: str) -> Any:
    return checker_for(json.loads(schema_json))


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


MISSING = object()


def apply_read_only(schema: Mapping[str, Any], data: dict[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    """Return *data* with read-only fields set to the form's values (or left out), and an error per changed one."""
    result, errors = dict(data), []
    for name, prop in schema.get("properties", {}).items():
        if not isinstance(prop, dict) or not prop.get("readOnly"):
            continue
        fixed = prop.get("const", prop.get("default", MISSING)) if "x-supplied" in prop else prop.get("default", MISSING)
        if name in result and (fixed is MISSING or result[name] != fixed):
            errors.append(field_error(name, "readOnly"))
        if "x-supplied" in prop and fixed is not MISSING:
            result[name] = fixed
        else:
            result.pop(name, None)
    return result, errors


def validate(schema: Mapping[str, Any], data: Any, checker: Any = None, *,
             today: date | None = None) -> dict[str, Any]:
    """Return normalised *data* if it satisfies *schema*; raise ValidationError with every problem."""
    if not isinstance(data, dict):
        raise ValidationError("Form data must be a JSON object.")
    check_depth(data, "The form data")
    data, read_only_errors = apply_read_only(schema, data)
    data = form_rules.applicable(schema, data)
    checker = checker or _cached_checker(json.dumps(schema, sort_keys=True))
    errors: list[FieldError] = read_only_errors
    try:
        for error in checker.iter_errors(data):
            errors.extend(_translate(error))
    except Unresolvable as exc:
        raise ValidationError(UNRESOLVABLE) from exc
    format_paths = {e.path for e in errors if e.code in ("money", "date", "file")}
    fixed_paths = {e.path for e in errors if e.code == "readOnly"}
    errors = [e for e in errors if not (e.code == "pattern" and e.path in format_paths)
              and not (e.code != "readOnly" and e.path in fixed_paths)]
    if not errors:
        errors = form_rules.rule_errors(schema, data, today or Clock().today())
    if errors:
        raise ValidationError("The form has errors", errors)
    return normalise(schema, data)


def file_fields(schema: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, str]:
    """Return {field: sha256} for the file uploads in *data* (those of fields that apply to its choices)."""
    data = form_rules.applicable(schema, data)
    return {
        name: data[name]
        for name, prop in schema.get("properties", {}).items()
        if isinstance(prop, dict) and prop.get("format") == "file" and isinstance(data.get(name), str)
    }


def _choice(value: str, title: str, english: str = "") -> dict[str, str]:
    return {"const": value, "title": title, **({"x-title-en": english} if english else {})}


def _fill_options(schema: dict[str, Any], options: Mapping[str, Any]) -> None:
    for prop in schema.get("properties", {}).values():
        if not isinstance(prop, dict):
            continue
        source = prop.get("x-options")
        if source:
            prop["oneOf"] = [_choice(*option) for option in options.get(source, [])]
        if isinstance(prop.get("items"), dict):
            _fill_options(prop["items"], options)


def with_options(schema: Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
    """Return *schema* with every `x-options` property (line items too) turned into labelled choices.

    Each option is (value, title) or (value, title, English title); the English title goes in `x-title-en`.
    """
    result = copy.deepcopy(dict(schema))
    _fill_options(result, options)
    return result


def with_supplied(schema: Mapping[str, Any], supplied: Mapping[str, tuple[Any, str, str]]) -> dict[str, Any]:
    """Return *schema* with each `x-supplied` property fixed to the host's (value, title, English title)."""
    result = copy.deepcopy(dict(schema))
    for prop in result.get("properties", {}).values():
        source = prop.get("x-supplied") if isinstance(prop, dict) else None
        if source in supplied:
            value, title, english = supplied[source]
            prop.update({"const": value, "default": value, "readOnly": True, "x-supplied-title": title,
                         "x-supplied-title-en": english})
    return result


def sources_of(schema: Mapping[str, Any]) -> tuple[frozenset[str], frozenset[str]]:
    """Return the names of the option sources and of the supplied values a form uses (line items too)."""
    options, supplied = set(), set()
    for prop in schema.get("properties", {}).values():
        if not isinstance(prop, dict):
            continue
        if isinstance(prop.get("x-options"), str):
            options.add(prop["x-options"])
        if isinstance(prop.get("x-supplied"), str):
            supplied.add(prop["x-supplied"])
        if isinstance(prop.get("items"), dict):
            options |= sources_of(prop["items"])[0]
    return frozenset(options), frozenset(supplied)


def references(node: Any, pointer: str = "") -> Iterator[str]:
    """Yield the JSON pointer of every `$ref`, `$id` and the like anywhere in a schema."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"
            if key in REFERENCE_KEYWORDS:
                yield here
            yield from references(value, here)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from references(value, f"{pointer}/{index}")


def check_form_schema(name: str, schema: Mapping[str, Any]) -> None:
    """Raise ValidationError unless *schema* is a valid, self-contained JSON Schema for a form."""
    for pointer in references(schema):
        raise ValidationError(f"form {name}: {pointer} is not allowed: a form may not refer to other "
                              "schemas or name itself ($ref, $id and the like)")
    try:
        FormValidator.check_schema(schema)
    except BadSchema as exc:
        raise ValidationError(f"form {name}: not a valid JSON Schema: {exc.message}") from exc
    if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        raise ValidationError(f"form {name}: must be an object schema with properties")
    for problem in form_rules.convention_problems(schema):
        raise ValidationError(f"form {name}: {problem}")
