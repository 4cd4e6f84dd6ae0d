"""The `Idempotency-Key` header of the API's actions: a retry gets the original's answer, nothing runs twice."""
from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import Any

import orjson
from flask import Response, current_app, request

from services.idempotency import HEADER, Claimed, Stored, claim, current, fingerprint, pending, release, store
from web.api.http import ApiError, actor
from web.app import services

LOG = logging.getLogger("yikatong.idempotency")
SANE_KEY = re.compile(r"[\x21-\x7e]{1,200}")  # printable ASCII, no spaces
REPLAYED_HEADER = "Idempotent-Replayed"
PARAMETER = {
    "in": "header", "name": HEADER, "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[\\x21-\\x7e]+$"},
    "description": "A key of your choice (e.g. a UUID), unique per action. A retry with the same key within "
                   "24 hours gets the stored answer of the first successful request and changes nothing; "
                   "the same key with another body or URL is refused with 422; while the first request "
                   "runs, a retry waits for it (409 if it takes too long).",
}


def _canonical_body() -> bytes:
    raw = request.get_data(cache=True)
    try:
        return orjson.dumps(orjson.loads(raw), option=orjson.OPT_SORT_KEYS)
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        return raw


def _replay(answer: Stored) -> Response:
    response = current_app.response_class(answer.body, status=answer.status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    response.headers[REPLAYED_HEADER] = "true"
    if answer.location:
        response.headers["Location"] = answer.location
    return response


def _forget(claimed: Claimed, key: str) -> None:
    try:
        release(services(), claimed)
    except Exception:  # noqa: BLE001 - the request's own error matters more; the key expires anyway
        LOG.exception("releasing idempotency key %r failed", key)


def answering(render: Callable[[Any], Response]) -> Callable[[Any], Response]:
    """Return *render* (the view's answer from its use case's result), bound to the request's key.

    Under an `Idempotency-Key` the use case calls it inside its own transaction and stores the
    answer there, so the action and its stored answer commit together; the view then returns
    that same answer.
    """
    claimed = current()
    if claimed is None:
        return render
    made: list[Response] = []

    def to_stored(result: Any) -> Stored:
        response = render(result)
        made.append(response)
        return Stored(response.status_code, response.get_data(), response.headers.get("Location"))

    claimed.render = to_stored
    return lambda result: made[-1] if made and claimed.stored is not None else render(result)


def _keep(claimed: Claimed, key: str, response: Response) -> None:
    if not 200 <= response.status_code < 300:
        _forget(claimed, key)
        return
    handled = current()
    if handled is not None and handled.stored is not None:
        return  # stored by the action, in its own transaction
    try:
        store(services(), claimed, Stored(response.status_code, response.get_data(), response.headers.get("Location")))
    except Exception:  # noqa: BLE001 - the action is done; a lost answer only makes a retry answer 409
        LOG.exception("storing the answer of idempotency key %r failed", key)


def idempotent(view: Callable[..., Response]) -> Callable[..., Response]:
    """Make *view* answer a retry carrying the same `Idempotency-Key` with the stored answer."""
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not SANE_KEY.fullmatch(key):
            raise ApiError(400, "The Idempotency-Key header is not usable.",
                           {HEADER: "Use 1 to 200 printable ASCII characters without spaces."})
        user_id = actor().id
        outcome = claim(services(), user_id, key, fingerprint(request.method, request.path, _canonical_body()))
        if isinstance(outcome, Stored):
            return _replay(outcome)
        with pending(user_id, key, outcome):
            try:
                response = view(*args, **kwargs)
            except BaseException:
                _forget(outcome, key)
                raise
            _keep(outcome, key, response)
        return response
    return wrapper
