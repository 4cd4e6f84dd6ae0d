"""Tell whether a PDF is a document this system sealed, unaltered, and which one.

Valid only when the PDF has exactly one signature, that signature is intact, its certificate chains
to the operator's trust root (checked at the signing time the signature itself carries, so that
documents stay verifiable after a certificate is renewed), and it covers the whole file: a copy
with anything appended after signing (an incremental update) is refused.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from asn1crypto import x509
from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from documents.model import KINDS, DocumentMeta
from documents.signing import META_KEYS, SigningConfigError

TRUST_ENV = "YIKATONG_SIGNING_TRUST"  # PEM file(s) of the trust root(s), separated by os.pathsep
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Trust:
    """The certificates a sealed document's signature must chain to."""

    roots: tuple[x509.Certificate, ...]


@dataclass(frozen=True)
class Verification:
    """The verdict on one PDF: *code* is stable for programs, *reason* is for people (English)."""

    valid: bool
    code: str       # ok, not_pdf, unsigned, several_signatures, altered, untrusted, not_whole_document, no_metadata
    reason: str
    meta: DocumentMeta | None = None
    signed_at: datetime | None = None
    signer: str | None = None


def load_trust(paths: Sequence[str | Path]) -> Trust:
    """Load the trust root certificates (PEM or DER files, several certificates per file allowed)."""
    try:
        roots = tuple(load_certs_from_pemder([str(p) for p in paths]))
    except (OSError, ValueError) as exc:
        raise SigningConfigError(f"trust roots {', '.join(map(str, paths))} cannot be loaded: {exc}") from exc
    if not roots:
        raise SigningConfigError("no trust root certificate given")
    return Trust(roots)


def trust_from_env(environ: Mapping[str, str] = os.environ) -> Trust | None:
    """Load the trust roots named by YIKATONG_SIGNING_TRUST; None when unset."""
    paths = [p for p in environ.get(TRUST_ENV, "").split(os.pathsep) if p]
    return load_trust(paths) if paths else None


def read_meta(info: Any) -> DocumentMeta | None:
    """Return the document metadata of a PDF information dictionary, or None when it has none."""
    try:
        values = {name: str(info[key]) for name, key in META_KEYS.items() if key in info}
        if values.get("kind") not in KINDS or "document_id" not in values:
            return None
        project = values.get("project_id")
        return DocumentMeta(kind=values["kind"], document_id=values["document_id"],
                            version=int(values.get("version", "1")), project_id=int(project) if project else None)
    except (KeyError, TypeError, ValueError):
        return None


def _refused(code: str, reason: str, **extra: Any) -> Verification:
    return Verification(False, code, reason, **extra)


def verify_pdf(pdf: bytes, trust: Trust) -> Verification:
    """Return whether *pdf* is intact, sealed by a certificate of *trust* over the whole file, and its metadata."""
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:  # noqa: BLE001 - untrusted input: any parser failure means "not a readable PDF"
        log.info("unreadable PDF: %r", exc)
        return _refused("not_pdf", f"not a readable PDF: {exc}")
    if not signatures:
        return _refused("unsigned", "the PDF carries no signature")
    if len(signatures) > 1:
        return _refused("several_signatures", "the PDF carries more than one signature")
    return _judge(reader, signatures[0], trust)


def _judge(reader: PdfFileReader, signature: Any, trust: Trust) -> Verification:
    try:
        signed_at = signature.self_reported_timestamp
        context = ValidationContext(trust_roots=list(trust.roots), moment=signed_at, allow_fetching=False)
        status = validate_pdf_signature(signature, context)
    except Exception as exc:  # noqa: BLE001 - untrusted input: a signature that cannot be checked is refused
        log.info("signature validation failed: %r", exc)
        return _refused("altered", f"the signature cannot be validated: {exc}")
    signer = status.signing_cert.subject.human_friendly if status.signing_cert else None
    extra: dict[str, Any] = {"signed_at": signed_at, "signer": signer}
    if not status.intact or not status.valid:
        return _refused("altered", "the document was altered after it was signed", **extra)
    if not status.trusted:
        return _refused("untrusted", "the signature was not made by this system's certificate", **extra)
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return _refused("not_whole_document", "content was added to the document after it was signed", **extra)
    meta = read_meta(reader.trailer["/Info"]) if "/Info" in reader.trailer else None
    if meta is None:
        return _refused("no_metadata", "the signed document does not say which document it is", **extra)
    return Verification(True, "ok", "intact and sealed by this system", meta=meta, **extra)
