"""The texts of the shipped forms that people read: titles, hints and choice titles (Chinese is the source).

`pybabel extract` collects them with `extract_forms` (registered in babel.cfg), so the English
catalogue translates them; the pages show them through `form_text` in the page's language.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

TEXT_KEYS = ("title", "description")


def texts(node: Any) -> Iterator[str]:
    """Yield every title and description of a form schema, in document order."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in TEXT_KEYS and isinstance(value, str):
                yield value
            else:
                yield from texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from texts(value)


def extract_forms(fileobj: IO[bytes], keywords: Any, comment_tags: Any,
                  options: Any) -> Iterator[tuple[int, None, str, list[str]]]:
    """Yield (line, function, message, comments) for Babel: the texts of one form's JSON Schema."""
    raw = fileobj.read().decode("utf-8")
    for text in dict.fromkeys(texts(json.loads(raw))):
        found = raw.find(json.dumps(text, ensure_ascii=False))
        yield (raw.count("\n", 0, found) + 1 if found >= 0 else 1), None, text, []
