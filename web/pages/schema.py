"""Read a task's JSON Schema the way the pages need it: which widget, which choices, which label."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from web.pages.formatting import amount
from web.pages.labels import form_text, humanise, is_english

Schema = Mapping[str, Any]
MAX_RADIOS = 4


def properties(schema: Schema) -> dict[str, dict[str, Any]]:
    """Return the properties of an object schema (only the well-formed ones)."""
    props = schema.get("properties") or {}
    return {name: prop for name, prop in props.items() if isinstance(prop, dict)}


def _choice_title(choice: Schema) -> str:
    if is_english() and choice.get("x-title-en"):
        return str(choice["x-title-en"])
    return form_text(choice.get("title", choice["const"]))


def _one_of(prop: Schema) -> list[Schema]:
    found = prop.get("oneOf")
    return [c for c in found if isinstance(c, dict) and "const" in c] if isinstance(found, list) else []


def choices(prop: Schema) -> list[tuple[str, str]]:
    """Return (value, title) of a property's choices (`oneOf` of const/title, or `enum`), titles translated."""
    if isinstance(prop.get("oneOf"), list):
        return [(str(c["const"]), _choice_title(c)) for c in _one_of(prop)]
    if isinstance(prop.get("enum"), list):
        return [(str(v), str(v)) for v in prop["enum"]]
    return []


def _choice_count(prop: Schema) -> int:
    if isinstance(prop.get("oneOf"), list):
        return len(_one_of(prop))
    return len(prop["enum"]) if isinstance(prop.get("enum"), list) else 0


def widget(prop: Schema) -> str:
    """Return the widget that edits a property."""
    kind, fmt = prop.get("type"), prop.get("format")
    if kind == "array" and isinstance(prop.get("items"), dict) and prop["items"].get("type") == "object":
        return "lines"
    if kind == "boolean":
        return "confirm" if prop.get("const") is True else "yesno"
    if kind == "integer":
        return "integer"
    if "oneOf" in prop or "enum" in prop:
        return "radio" if 0 < _choice_count(prop) <= MAX_RADIOS else "select"
    if fmt in ("money", "date", "file"):
        return str(fmt)
    return "textarea" if prop.get("x-widget") == "textarea" else "text"


def may_be_empty(prop: Schema) -> bool:
    """Return True if an empty text is a value of *prop*: a plain text with no least length and no pattern
    (a remark that may be cleared, say), so a page sends it empty instead of leaving it out."""
    minimum = prop.get("minLength")
    return (prop.get("type") == "string" and widget(prop) in ("text", "textarea") and "pattern" not in prop
            and not (isinstance(minimum, int) and minimum > 0))


def summed_field(schema: Schema, lines: str) -> str:
    """Return the item field that line items *lines* add up into a total (`x-sum-of`), or ''."""
    for prop in properties(schema).values():
        spec = prop.get("x-sum-of")
        if isinstance(spec, dict) and spec.get("items") == lines and isinstance(spec.get("field"), str):
            return str(spec["field"])
    return ""


def label(name: str, prop: Schema) -> tuple[str, str]:
    """Return (label, secondary label): the form's title in the page's language.

    In English a title the catalogue does not know (a form deployed later) shows as the field
    name, with the Chinese title beside it.
    """
    title = str(prop.get("title") or humanise(name))
    if is_english():
        translated = form_text(title)
        if translated != title:
            return translated, ""
        english = humanise(name)
        return english, (title if title != english else "")
    return title, ""


def raw_value(prop: Schema, value: Any) -> Any:
    """Return a stored value as the text an input shows (line items: a list of such mappings)."""
    kind = widget(prop)
    if value is None:
        return "" if kind != "lines" else []
    if kind == "lines":
        items = properties(prop["items"])
        return [{k: raw_value(items.get(k, {}), v) for k, v in row.items()}
                for row in value if isinstance(row, dict)] if isinstance(value, list) else []
    if isinstance(value, bool):
        return "true" if value else "false"
    if kind == "money" and isinstance(value, str):
        return amount(value)
    return str(value)


def defaults(schema: Schema) -> dict[str, Any]:
    """Return the form's default values as input texts."""
    return {name: raw_value(prop, prop["default"]) for name, prop in properties(schema).items()
            if "default" in prop and not isinstance(prop["default"], dict)}
