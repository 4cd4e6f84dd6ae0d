"""Turn a posted task form into typed data for the service, keeping what the person typed."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import FileStorage, MultiDict

from services.task_pages import Upload
from web.pages.schema import Schema, may_be_empty, properties, widget

IGNORED = frozenset({"csrf_token"})
MAX_ROW_INDEX = 999
MISSING = object()
_MONEY_NOISE = re.compile(r"[,，\s¥￥]")


@dataclass
class Parsed:
    """A posted form: typed data, the texts as typed (to show again), and the uploads."""

    data: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    uploads: list[Upload] = field(default_factory=list)


def convert(prop: Schema, text: str) -> Any:
    """Return the typed value of one input's text, MISSING if empty, the text if it does not parse."""
    text = text.strip()
    if not text:
        return MISSING
    kind = widget(prop)
    if kind == "integer":
        return int(text) if re.fullmatch(r"-?[0-9]{1,12}", text) else text
    if kind in ("yesno", "confirm"):
        return {"true": True, "false": False}.get(text, text)
    if kind == "money":
        return _MONEY_NOISE.sub("", text)
    return text


def _rows(name: str, form: MultiDict[str, str]) -> dict[int, dict[str, str]]:
    pattern = re.compile(rf"^{re.escape(name)}-([0-9]{{1,3}})-(.+)$")
    rows: dict[int, dict[str, str]] = {}
    for key in form:
        found = pattern.match(key)
        if found and int(found.group(1)) <= MAX_ROW_INDEX:
            rows.setdefault(int(found.group(1)), {})[found.group(2)] = form.get(key, "")
    return rows


def _emptied(items: Schema, row: dict[str, str]) -> dict[str, str]:
    """Return the required texts of a row that were left empty and may be: they are sent as ''."""
    needed = items.get("required") if isinstance(items.get("required"), list) else []
    subs = properties(items)
    return {sub: "" for sub in needed if sub in row and not row[sub].strip() and may_be_empty(subs.get(sub, {}))}


def _lines(name: str, prop: Schema, form: MultiDict[str, str], parsed: Parsed) -> set[str]:
    items = properties(prop.get("items", {}))
    typed, shown, used = [], [], set()
    for index, row in sorted(_rows(name, form).items()):
        used.update(f"{name}-{index}-{sub}" for sub in row)
        values = {sub: convert(items.get(sub, {}), text) for sub, text in row.items()}
        values = {sub: v for sub, v in values.items() if v is not MISSING}
        if values:
            typed.append({**_emptied(prop.get("items", {}), row), **values})
            shown.append({sub: text.strip() for sub, text in row.items()})
    if typed:
        parsed.data[name] = typed
    parsed.raw[name] = shown
    return used


def _file(name: str, form: MultiDict[str, str], files: MultiDict[str, FileStorage], parsed: Parsed) -> None:
    upload = files.get(name)
    kept = form.get(name, "").strip()
    if upload is not None and upload.filename:
        parsed.uploads.append(Upload(name, upload.filename, upload.read()))
    elif kept:
        parsed.data[name] = kept
    parsed.raw[name] = kept


def parse(schema: Schema, form: MultiDict[str, str], files: MultiDict[str, FileStorage]) -> Parsed:
    """Return the typed data of a posted form; fields the form does not have are passed on as text."""
    parsed, used = Parsed(), set(IGNORED)
    for name, prop in properties(schema).items():
        if prop.get("readOnly"):
            used.add(name)
            continue
        kind = widget(prop)
        if kind == "lines":
            used |= _lines(name, prop, form, parsed)
            continue
        used.add(name)
        if kind == "file":
            _file(name, form, files, parsed)
            continue
        text = form.get(name, "")
        parsed.raw[name] = text
        value = convert(prop, text)
        if value is not MISSING:
            parsed.data[name] = value
    for key in form:
        if key not in used:
            parsed.data[key] = form.get(key, "")
    return parsed


def kept_files(schema: Schema, data: dict[str, Any]) -> dict[str, str]:
    """Return the file fields of *data* that hold a stored file (to offer them again on a refused form)."""
    props = properties(schema)
    return {name: value for name, value in data.items()
            if name in props and widget(props[name]) == "file" and isinstance(value, str)}
