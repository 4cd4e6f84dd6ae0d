"""Build the fields of a task form from its JSON Schema, the values to show and the errors."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from web.pages.formatting import money
from web.pages.labels import form_text
from web.pages.schema import Schema, choices, label, properties, widget

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
    columns: list[Field] = field(default_factory=list)
    rows: list[list[Field]] = field(default_factory=list)


def _limits(prop: Schema) -> str:
    high, low = prop.get("moneyMaximum"), prop.get("moneyMinimum")
    if isinstance(high, str):
        return _("At most %(amount)s", amount=money(high))
    if isinstance(low, str) and low not in ("0", "0.01"):
        return _("At least %(amount)s", amount=money(low))
    return ""


def _field(name: str, path: str, prop: Schema, required: bool, value: Any, errors: dict[str, str]) -> Field:
    text, alt = label(name, prop)
    return Field(name=name, path=path, widget=widget(prop), label=text, label_alt=alt,
                 hint=form_text(prop.get("description")), required=required or prop.get("const") is True,
                 value=value if value is not None else "", choices=choices(prop),
                 error=errors.get(path, ""), limits=_limits(prop))


def _lines(name: str, prop: Schema, values: list[dict[str, str]], errors: dict[str, str]) -> Field:
    items = prop.get("items", {})
    subs, needed = properties(items), set(items.get("required", []))
    top = _field(name, name, prop, False, "", errors)
    top.columns = [_field(sub, sub, p, sub in needed, "", {}) for sub, p in subs.items()]
    limit = prop.get("maxItems") if isinstance(prop.get("maxItems"), int) else len(values) + BLANK_ROWS
    rows = list(values) + [{}] * max(0, min(BLANK_ROWS, limit - len(values)))
    for index, row in enumerate(rows):
        top.rows.append([_field(f"{name}-{index}-{sub}", f"{name}.{index}.{sub}", p, sub in needed,
                                row.get(sub, ""), errors) for sub, p in subs.items()])
    return top


def build(schema: Schema, values: dict[str, Any], errors: dict[str, str],
          file_names: dict[str, str]) -> tuple[list[Field], list[tuple[str, str]]]:
    """Return the form's fields and the errors that belong to no field (as label, message)."""
    needed, fields = set(schema.get("required", [])), []
    for name, prop in properties(schema).items():
        if widget(prop) == "lines":
            rows = values.get(name) if isinstance(values.get(name), list) else []
            fields.append(_lines(name, prop, rows, errors))
            continue
        item = _field(name, name, prop, name in needed, values.get(name, ""), errors)
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
