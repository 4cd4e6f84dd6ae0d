"""Files for form fields of format `file`: upload one, download one the user may see."""
from __future__ import annotations

from flask import Response, request, send_file

from services.files import open_file, store_file
from web.api.blueprint import bp
from web.api.http import ApiError, actor, reply
from web.app import services
from web.api.project_schemas import StoredFile

STORED_FILE = StoredFile()


@bp.post("/files")
def upload_file() -> Response:
    """Store the multipart part `file` and answer its sha256 (checked by content, size-limited)."""
    part = request.files.get("file")
    if part is None:
        raise ApiError(400, "Send the file as the multipart/form-data part `file`.", {"file": "Upload a file."})
    stored = store_file(services(), actor(), part.filename or "file", part.read())
    return reply(STORED_FILE, stored, 201)


@bp.get("/files/<sha256>")
def download_file(sha256: str) -> Response:
    """Send a stored file that belongs to a project the user may see (or that the user uploaded)."""
    found = open_file(services(), actor(), sha256)
    return send_file(found["path"], mimetype=found["content_type"], as_attachment=True,
                     download_name=found["filename"], max_age=0)
