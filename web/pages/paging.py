"""The page number a paged list was asked for."""
from __future__ import annotations

from flask import request

MAX_DIGITS = 6  # a longer number is no page anyone asked for: the first page


def page_number() -> int:
    """Return the request's `page` (query string, or the form of a POST); 1 if it is missing or no page number."""
    text = (request.args.get("page") or request.form.get("page") or "1").strip()
    return int(text) if text.isdigit() and len(text) <= MAX_DIGITS else 1
