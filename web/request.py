"""The request class: page forms are read whole, with each uploaded file cut off just past the upload limit.

A file over the limit must become a message on its form field, with everything else the person
typed kept; refusing the whole body with 413 before reading it would lose all of that. So page
requests may carry a larger body (up to MAX_PAGE_BODY_LENGTH), while no file part ever occupies
more than the upload limit plus one byte: the service then refuses it as too large. The JSON API
keeps the strict MAX_CONTENT_LENGTH.
"""
from __future__ import annotations

from tempfile import SpooledTemporaryFile
from typing import IO, Any

from flask import Request, current_app
from werkzeug.routing import IntegerConverter, Map

from services.files import MAX_FILE_BYTES

IN_MEMORY_BYTES = 500 * 1024
# The largest whole number a URL may carry: it must fit the integer columns of both databases.
MAX_URL_INTEGER = 2**31 - 1


class BoundedInteger(IntegerConverter):
    """`<int:…>` in URLs, at most MAX_URL_INTEGER: a larger number matches no route (404), it never reaches a query."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,  # werkzeug's argument names
                 max: int | None = MAX_URL_INTEGER, signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class CappedFile(SpooledTemporaryFile):  # type: ignore[type-arg]
    """A temporary file that keeps the first *cap* bytes written to it and drops the rest."""

    def __init__(self, cap: int) -> None:
        super().__init__(max_size=IN_MEMORY_BYTES)
        self.cap = cap
        self.kept = 0

    def write(self, data: Any) -> int:
        room = self.cap - self.kept
        if room > 0:
            self.kept += super().write(bytes(data[:room]))
        return len(data)


class AppRequest(Request):
    """A request whose page forms may exceed the API's body limit, with every file capped."""

    @property
    def max_content_length(self) -> int | None:
        """Return the body limit: MAX_PAGE_BODY_LENGTH for pages, MAX_CONTENT_LENGTH for the API."""
        if self._max_content_length is not None:
            return self._max_content_length
        if current_app and not self.path.startswith("/api/"):
            return current_app.config.get("MAX_PAGE_BODY_LENGTH", current_app.config["MAX_CONTENT_LENGTH"])
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    def _get_file_stream(self, total_content_length: int | None, content_type: str | None,
                         filename: str | None = None, content_length: int | None = None) -> IO[bytes]:
        return CappedFile(MAX_FILE_BYTES + 1)  # type: ignore[return-value]
