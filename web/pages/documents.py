"""Issued official documents: download from the project page, and the public verification page."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from werkzeug.wrappers import Response

from services.errors import NotFound, ValidationError
from services import rate_limit
from services.official import archive, verification
from services.throttle import TooManyAttempts
from services.official.reissue import reissue
from web.app import services as ctx
from web.pages.auth import actor
from web.pages.messages import translate

bp = Blueprint("documents", __name__)
PUBLIC_ENDPOINTS = frozenset({"documents.verify", "documents.verify_upload"})
KINDS = {"payment_notice": _l("Payment notice (Attachment 3)"),
         "acceptance_report": _l("Acceptance report (Attachment 2)"),
         "fund_plan": _l("Fund use plan table (Attachment 1)")}
# The verification service's messages about the upload, for the catalogue (see web/pages/messages.py).
UPLOAD_MESSAGES = (_l("The file is not a PDF."), _l("The file is larger than 10 MiB."), _l("Upload the PDF to verify."),
                   _l("No document of this kind has been issued for this project yet."),
                   _l("Choose a kind of document."),
                   _l("Too many verifications from this address. Wait a minute and try again."))
REASONS = {
    "not_configured": _l("This system has no seal certificate to verify against."),
    "not_pdf": _l("The file is not a readable PDF."),
    "unsigned": _l("The file carries no seal."),
    "several_signatures": _l("The file carries more than one signature."),
    "altered": _l("The document was altered after it was sealed."),
    "untrusted": _l("The seal was not made by this system."),
    "not_whole_document": _l("Content was added to the document after it was sealed."),
    "no_metadata": _l("The sealed file does not say which document it is."),
    "unknown": _l("The seal is intact, but this system has no record of issuing this file."),
}


@bp.app_template_filter("document_kind")
def document_kind(kind: str) -> str:
    """Return the name of a kind of official document."""
    return str(KINDS.get(kind, kind))


@bp.app_template_global("verify_reason")
def verify_reason(code: str) -> str:
    """Return why a copy is not valid, in the page's language."""
    return str(REASONS.get(code, code))


@bp.get("/projects/<int:instance_id>/documents/<document_id>")
def download(instance_id: int, document_id: str) -> Response:
    """Send an issued document's PDF to someone who may see its project."""
    found = archive.open_document(ctx(), actor(), instance_id, document_id)
    response = send_file(found["path"], mimetype="application/pdf", as_attachment=True,
                         download_name=found["filename"], max_age=0, etag=found["sha256"])
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/projects/<int:instance_id>/documents/reissue")
def reissue_document(instance_id: int) -> Response:
    """Reissue the latest document of the posted kind from the project's current records (administrators)."""
    try:
        done = reissue(ctx(), actor(), instance_id, request.form.get("kind", ""), request.form.get("reason"))
    except ValidationError as exc:
        flash(translate(next(iter(exc.field_messages().values()), exc.message)), "error")
    else:
        flash(_("Issued %(kind)s, version %(n)d.", kind=document_kind(done["kind"]), n=done["version"]), "success")
    return redirect(url_for("projects.show", instance_id=instance_id, _anchor="official-documents"))


def _named(document_id: str) -> dict[str, Any] | None:
    if not document_id or len(document_id) > 64:
        return None
    try:
        return verification.describe(ctx(), document_id)
    except NotFound:
        return None


def _page(status: int = 200, **extra: Any) -> tuple[str, int]:
    document_id = request.values.get("id", "").strip()
    return render_template("documents/verify.html", document_id=document_id, named=_named(document_id),
                           **extra), status


@bp.get("/verify")
def verify() -> tuple[str, int]:
    """Show the verification form (and, with ?id= from a QR code, which document that id names)."""
    return _page()


@bp.post("/verify")
def verify_upload() -> tuple[str, int] | tuple[str, int, dict[str, str]]:
    """Verify an uploaded PDF and show the verdict."""
    try:
        rate_limit.admit(ctx(), rate_limit.VERIFY, request.remote_addr or "")
    except TooManyAttempts as exc:
        return _page(429, error=translate(exc.message))[0], 429, {"Retry-After": str(exc.retry_after)}
    part = request.files.get("file")
    try:
        answer = verification.verify_upload(ctx(), part.read() if part else None)
    except ValidationError as exc:
        message = exc.field_messages().get("file", exc.message)
        return _page(422, error=translate(message))
    return _page(answer=answer)
