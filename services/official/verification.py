"""Whether an uploaded PDF is an official document this system issued, unaltered, and which one.

Valid only when the seal verifies against the trust roots, covers the whole file (nothing appended)
and the file's sha256 is that of an archived document whose recorded facts match the seal's.
Anyone may ask: the answer names only the kind, project number, version and issue time.
"""
from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select

from models.tables import issued_document
from services.clock import from_db
from services.context import Services
from services.errors import FieldError, NotFound, ValidationError
from services.official.keys import keys

MAX_VERIFY_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


def _answer(valid: bool, code: str, reason: str, row: Any = None) -> dict[str, Any]:
    return {"valid": valid, "code": code, "reason": reason,
            "kind": row.kind if row is not None else None,
            "project_id": row.instance_id if row is not None else None,
            "version": row.version if row is not None else None,
            "document_id": row.public_id if row is not None else None,
            "issued_at": from_db(row.created_at).isoformat() if row is not None else None}


def check_upload(content: bytes | None) -> bytes:
    """Return *content* if it can be a PDF to verify; raise ValidationError naming the field `file`."""
    if not content:
        raise ValidationError("Upload the PDF to verify.", _field("The file is empty."))
    if len(content) > MAX_VERIFY_BYTES:
        raise ValidationError("The file is too large.",
                              _field(f"The file is larger than {MAX_VERIFY_BYTES // (1024 * 1024)} MiB."))
    if not content.lstrip()[:8].startswith(PDF_MAGIC):
        raise ValidationError("The file is not a PDF.", _field("The file is not a PDF."))
    return content


def _field(message: str) -> list[Any]:
    return [FieldError("file", "invalid", message)]


def verify_upload(ctx: Services, content: bytes | None) -> dict[str, Any]:
    """Judge an uploaded copy (see the module docstring); raise ValidationError when it is no PDF at all."""
    import documents

    pdf = check_upload(content)
    trust = keys(ctx).trust
    if trust is None:
        return _answer(False, "not_configured", "This system has no seal certificate to verify against.")
    verdict = documents.verify_pdf(pdf, trust)
    if not verdict.valid:
        return _answer(False, verdict.code, verdict.reason)
    digest, meta = hashlib.sha256(pdf).hexdigest(), verdict.meta
    with ctx.db.read() as conn:
        row = conn.execute(select(issued_document).where(
            issued_document.c.sha256 == digest,
            issued_document.c.public_id == (meta.document_id if meta else None))).first()
    if row is None or meta is None or (meta.kind, meta.version, meta.project_id) != (
            row.kind, row.version, row.instance_id):
        return _answer(False, "unknown", "The seal is intact, but this system has no record of issuing this file.")
    return _answer(True, "ok", "This is a document the system issued, unaltered.", row)


def describe(ctx: Services, document_id: str) -> dict[str, Any]:
    """Return the public facts of the document a QR code names (kind, project, version, issue time)."""
    with ctx.db.read() as conn:
        row = conn.execute(select(issued_document).where(issued_document.c.public_id == document_id)).first()
    if row is None:
        raise NotFound(f"document {document_id} does not exist")
    return _answer(True, "ok", "", row)
