"""Download a stored document, only for those who may see a project it belongs to."""
from __future__ import annotations

from flask import Blueprint, send_file
from werkzeug.wrappers import Response

from services.files import open_file
from web.app import services as ctx
from web.pages.auth import actor

bp = Blueprint("files", __name__, url_prefix="/files")


@bp.get("/<sha256>")
def download(sha256: str) -> Response:
    """Send a document as an attachment under its original name."""
    found = open_file(ctx(), actor(), sha256)
    response = send_file(found["path"], mimetype=found["content_type"], as_attachment=True,
                         download_name=found["filename"], max_age=0, etag=sha256)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
