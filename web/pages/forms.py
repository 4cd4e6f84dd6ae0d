"""Build the fields of a task form from its JSON Schema, the values to show and the errors."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from web.pages import display
from web.pages.formatting import money, total
from web.pages.schema import Schema, choices, label, may_be_empty, properties, raw_value, summed_field, widget
from web.pages.labels import form_text, is_english

BLANK_ROWS = 3


@dataclass
class Field:
    """One input (or group of inputs) of a form, ready for the template."""

    name: str
    path: str
    widget: str
    label: str
    label_alt: str = ""
    hint: str = ""
    required: bool = False
    value: Any = ""
    choices: list[tuple[str, str]] = field(default_factory=list)
    error: str = ""
    limits: str = ""
    file_name: str = ""
    max_date: str = ""
    sum_field: str = ""
    total: str = ""
    when: dict[str, list[Any]] = field(default_factory=dict)
    columns: list[Field] = field(default_factory=list)
    rows: list[list[Field]] = field(default_factory=list)
    read_only: bool = False
    text: str = ""
    table: dict[str, Any] = field(default_factory=dict)


def _limits(prop: Schema) -> str:
    high, low = prop.get("moneyMaximum"), prop.get("moneyMinimum")
    if isinstance(high, str):
        return _("At most %(amount)s", amount=money(high))
    if isinstance(low, str) and low not in ("0", "0.01"):
        return _("At least %(amount)s", amount=money(low))
    return ""


def _when(prop: Schema) -> dict[str, list[Any]]:
    """Return the choices a field applies to (`x-when`), each as a list of values as the inputs send them."""
    when = prop.get("x-when")
    if not isinstance(when, dict):
        return {}
    listed = {name: values if isinstance(values, list) else [values] for name, values in when.items()}
    return {name: [raw_value({}, value) for value in values] for name, values in listed.items()}


def _field(name: str, path: str, prop: Schema, required: bool, value: Any, errors: dict[str, str],
           today: str = "") -> Field:
    text, alt = label(name, prop)
    return Field(name=name, path=path, widget=widget(prop), label=text, label_alt=alt,
                 hint=form_text(prop.get("description")), required=required or prop.get("const") is True,
                 value=value if value is not None else "", choices=choices(prop),
                 error=errors.get(path, ""), limits=_limits(prop),
                 max_date=today if prop.get("notAfter") == "today" else "", when=_when(prop))


def _lines(name: str, prop: Schema, values: list[dict[str, str]], errors: dict[str, str]) -> Field:
    items = prop.get("items", {})
    subs, needed = properties(items), set(items.get("required", []))
    top = _field(name, name, prop, False, "", errors)
    needed = {sub for sub in needed if not may_be_empty(subs.get(sub, {}))}  # an empty text is sent as ''
    top.columns = [_field(sub, sub, p, sub in needed, "", {}) for sub, p in subs.items()]
    limit = prop.get("maxItems") if isinstance(prop.get("maxItems"), int) else len(values) + BLANK_ROWS
    rows = list(values) + [{}] * max(0, min(BLANK_ROWS, limit - len(values)))
    for index, row in enumerate(rows):
        top.rows.append([_field(f"{name}-{index}-{sub}", f"{name}.{index}.{sub}", p, sub in needed,
                                row.get(sub, ""), errors) for sub, p in subs.items()])
    return top


def _read_only(name: str, prop: Schema, errors: dict[str, str]) -> Field | None:
    """Return a shown-only field with the form's own value, or None if it has none to show."""
    value = prop.get("default")
    if (value is None or value == "" or value == []) and not prop.get("x-supplied-title"):
        return None
    item = Field(name=name, path=name, widget="readonly", label=label(name, prop)[0], label_alt=label(name, prop)[1],
                 hint=form_text(prop.get("description")), read_only=True, error=errors.get(name, ""))
    if widget(prop) == "lines":
        item.table = display.lines(prop, value)
    else:
        supplied = prop.get("x-supplied-title-en") if is_english() else prop.get("x-supplied-title")
        item.text = str(supplied or display.field_text(name, prop, value))
    return item


def _required_now(schema: Schema) -> set[str]:
    """Return the fields required by an `if`/`then` whose condition the system-set values already meet."""
    condition, then = schema.get("if"), schema.get("then")
    if not isinstance(condition, dict) or not isinstance(then, dict):
        return set()
    props = properties(schema)
    for name, rule in (condition.get("properties") or {}).items():
        prop = props.get(name, {})
        if not prop.get("readOnly") or not isinstance(rule, dict) or prop.get("default") != rule.get("const"):
            return set()
    return set(then.get("required", []))


def build(schema: Schema, values: dict[str, Any], errors: dict[str, str],
          file_names: dict[str, str], today: str = "") -> tuple[list[Field], list[tuple[str, str]]]:
    """Return the form's fields and the errors that belong to no field (as label, message).

    *today* (YYYY-MM-DD, China) is the latest date a `notAfter: "today"` field offers.
    """
    needed, fields = set(schema.get("required", [])) | _required_now(schema), []
    for name, prop in properties(schema).items():
        if prop.get("readOnly"):
            shown = _read_only(name, prop, errors)
            fields.extend([shown] if shown else [])
            continue
        if widget(prop) == "lines":
            rows = values.get(name) if isinstance(values.get(name), list) else []
            lines = _lines(name, prop, rows, errors)
            lines.sum_field = summed_field(schema, name)
            if lines.sum_field:
                lines.total = total(row.get(lines.sum_field) for row in rows if isinstance(row, dict))
            fields.append(lines)
            continue
        item = _field(name, name, prop, name in needed, values.get(name, ""), errors, today)
        if item.widget == "file" and item.value:
            item.file_name = file_names.get(str(item.value), str(item.value)[:12])
        fields.append(item)
    return fields, _leftover(fields, errors)


def _paths(fields: list[Field]) -> set[str]:
    paths = set()
    for item in fields:
        paths.add(item.path)
        for row in item.rows:
            paths.update(f.path for f in row)
    return paths


def _leftover(fields: list[Field], errors: dict[str, str]) -> list[tuple[str, str]]:
    known = _paths(fields)
    return [(path or _("Form"), message) for path, message in errors.items() if path not in known]
