"""Issued official documents under /api/v1: a project's list, one download, and public verification."""
from __future__ import annotations

from typing import Any

from flask import Response, request, send_file, url_for
from marshmallow import Schema, fields

from services import rate_limit
from services.official import archive, verification
from web.api.blueprint import BODY_LIMITS, bp
from web.api.http import ApiError, actor, json_response, reply
from web.api.schemas import Timestamp
from web.app import services

KIND = {"description": "payment_notice (Attachment 3), acceptance_report (Attachment 2) or fund_plan (Attachment 1)"}
UPLOAD_SLACK = 64 * 1024  # multipart headers around the file


class IssuedDocument(Schema):
    """An official document the system issued for a project (a corrected one is a new version)."""

    id = fields.String(required=True, metadata={"description": "The id printed in the seal's QR code."})
    kind = fields.String(required=True, metadata=KIND)
    version = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    signed = fields.Boolean(required=True, metadata={"description": "False when no seal key was configured."})
    url = fields.String(required=True, metadata={"description": "Where to download the PDF (same token)."})
    issued_at = Timestamp(required=True)
    issued_by = fields.String(allow_none=True)
    project_id = fields.Integer(required=True)


class DocumentVerification(Schema):
    """Whether an uploaded PDF is a document the system issued, unaltered, and which one."""

    valid = fields.Boolean(required=True)
    code = fields.String(required=True, metadata={"description": (
        "ok, not_configured, not_pdf, unsigned, several_signatures, altered, untrusted, not_whole_document, "
        "no_metadata or unknown (sealed, but no archived document has this content)")})
    reason = fields.String(required=True)
    kind = fields.String(allow_none=True, metadata=KIND)
    project_id = fields.Integer(allow_none=True)
    version = fields.Integer(allow_none=True)
    document_id = fields.String(allow_none=True)
    issued_at = Timestamp(allow_none=True)


ISSUED, VERIFICATION = IssuedDocument(many=True), DocumentVerification()


def _with_url(doc: dict[str, Any]) -> dict[str, Any]:
    return {**doc, "url": url_for("api.download_document", instance_id=doc["project_id"], document_id=doc["id"])}


@bp.get("/projects/<int:instance_id>/documents")
def project_documents(instance_id: int) -> Response:
    """Answer the official documents issued for a project the user may see, oldest first."""
    docs = archive.list_documents(services(), actor(), instance_id)
    return json_response(ISSUED.dump([_with_url(d) for d in docs]))


@bp.get("/projects/<int:instance_id>/documents/<document_id>")
def download_document(instance_id: int, document_id: str) -> Response:
    """Send an issued document's PDF."""
    found = archive.open_document(services(), actor(), instance_id, document_id)
    return send_file(found["path"], mimetype="application/pdf", as_attachment=True,
                     download_name=found["filename"], max_age=0)


BODY_LIMITS["api.verify_document"] = verification.MAX_VERIFY_BYTES + UPLOAD_SLACK


@bp.post("/documents/verify")
def verify_document() -> Response:
    """Tell whether the multipart part `file` is a document this system issued, unaltered (no token needed)."""
    rate_limit.admit(services(), rate_limit.VERIFY, request.remote_addr or "")
    part = request.files.get("file")
    if part is None:
        raise ApiError(400, "Send the PDF as the multipart/form-data part `file`.", {"file": "Upload a file."})
    return reply(VERIFICATION, verification.verify_upload(services(), part.read()))


def paths(op: Any, instance_id: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return the OpenAPI paths of this module, built with the document's operation helper."""
    document_id = {"in": "path", "name": "document_id", "required": True, "schema": {"type": "string"}}
    upload = {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}}
    return {
        "/api/v1/projects/{instance_id}/documents": {"get": op(
            "The official documents issued for a project (Attachments 1–3), oldest first", 200,
            {"type": "array", "items": "IssuedDocument"}, (404,), parameters=[instance_id])},
        "/api/v1/projects/{instance_id}/documents/{document_id}": {"get": op(
            "Download an issued document (PDF)", 200, None, (404,), parameters=[instance_id, document_id],
            binary=True)},
        "/api/v1/documents/verify": {"post": op(
            "Verify an uploaded copy of an official document (anyone)", 200, "DocumentVerification",
            (400, 413, 422, 429), public=True, requestBody=upload)},
    }


SCHEMAS = (IssuedDocument, DocumentVerification)
