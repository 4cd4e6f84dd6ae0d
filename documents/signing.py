"""Seal a rendered PDF: a PAdES signature (pyHanko) with a visible stamp and the document's metadata.

The key and certificate are the operator's, named by environment variables (see ``signer_from_env``).
The metadata (kind, document id, version, project id) goes into the PDF's document information
dictionary in the same revision as the signature, so the signature covers it.
"""
from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_der_private_key
from pyhanko.keys import load_cert_from_pemder, load_certs_from_pemder, load_private_key_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from documents.model import KINDS, DocumentMeta
from documents.stamp import BOX, stamp_style

KEY_ENV, CERT_ENV, CHAIN_ENV, PASSPHRASE_ENV = (
    "YIKATONG_SIGNING_KEY", "YIKATONG_SIGNING_CERT", "YIKATONG_SIGNING_CHAIN", "YIKATONG_SIGNING_KEY_PASSPHRASE")
FIELD_NAME = "YikatongSeal"
TIME_ZONE = ZoneInfo("Asia/Shanghai")
META_KEYS = {"kind": "/YikatongKind", "document_id": "/YikatongDocumentId", "version": "/YikatongVersion",
             "project_id": "/YikatongProjectId"}


class SigningConfigError(ValueError):
    """The signing key or certificate cannot be loaded: the message names the file and the cause."""


@dataclass(frozen=True)
class Signer:
    """The operator's signing key and certificate, loaded once and reused for every document."""

    pyhanko_signer: signers.SimpleSigner
    subject: str


def load_signer(key_path: str | Path, cert_path: str | Path, chain: Sequence[str | Path] = (),
                passphrase: bytes | None = None) -> Signer:
    """Load a PEM/DER private key and certificate (and intermediate certificates) for signing."""
    for path in (key_path, cert_path, *chain):
        if not Path(path).is_file():
            raise SigningConfigError(f"signing file {path} does not exist")
    try:
        key = load_private_key_from_pemder(str(key_path), passphrase=passphrase)
        cert = load_cert_from_pemder(str(cert_path))
        others = list(load_certs_from_pemder([str(p) for p in chain]))
    except (OSError, ValueError, TypeError) as exc:
        raise SigningConfigError(f"signing key {key_path} or certificate {cert_path} cannot be loaded: {exc}") from exc
    public = load_der_private_key(key.dump(), None).public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    if public != cert.public_key.dump():
        raise SigningConfigError(f"signing key {key_path} does not belong to certificate {cert_path}")
    pyhanko_signer = signers.SimpleSigner(signing_cert=cert, signing_key=key,
                                          cert_registry=SimpleCertificateStore.from_certs(others))
    return Signer(pyhanko_signer, cert.subject.human_friendly)


def signer_from_env(environ: Mapping[str, str] = os.environ) -> Signer | None:
    """Load the signer named by YIKATONG_SIGNING_KEY / _CERT (/ _CHAIN, _KEY_PASSPHRASE); None when unset."""
    key, cert = environ.get(KEY_ENV), environ.get(CERT_ENV)
    if not key and not cert:
        return None
    if not key or not cert:
        raise SigningConfigError(f"set both {KEY_ENV} and {CERT_ENV}")
    chain = [p for p in environ.get(CHAIN_ENV, "").split(os.pathsep) if p]
    passphrase = environ.get(PASSPHRASE_ENV)
    return load_signer(key, cert, chain, passphrase.encode() if passphrase else None)


def _write_meta(writer: IncrementalPdfFileWriter, meta: DocumentMeta) -> None:
    if meta.kind not in KINDS:
        raise ValueError(f"unknown document kind {meta.kind!r}")
    info_ref = writer.trailer.raw_get("/Info") if "/Info" in writer.trailer else None
    info = info_ref.get_object() if info_ref is not None else generic.DictionaryObject()
    for field_name, key in META_KEYS.items():
        value = getattr(meta, field_name)
        if value is not None:
            info[generic.NameObject(key)] = generic.TextStringObject(str(value))
    if info_ref is None:
        writer.set_info(info)
    else:
        writer.mark_update(info_ref)


def sign_pdf(pdf: bytes, signer: Signer, *, verify_url: str, meta: DocumentMeta,
             issued_at: datetime | None = None) -> bytes:
    """Return *pdf* sealed: metadata, a certifying PAdES signature and a stamp with a QR code of *verify_url*."""
    issued = (issued_at or datetime.now(TIME_ZONE)).astimezone(TIME_ZONE)
    params = {"issued": issued.strftime("%Y-%m-%d %H:%M"), "document": meta.document_id}
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    _write_meta(writer, meta)
    signature_meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
        reason="太仓市人社局 一卡通系统 电子校验章", location="太仓市",
        certify=True, docmdp_permissions=fields.MDPPerm.NO_CHANGES)
    pdf_signer = signers.PdfSigner(signature_meta, signer.pyhanko_signer, stamp_style=stamp_style(params),
                                   new_field_spec=fields.SigFieldSpec(FIELD_NAME, box=BOX, on_page=-1))
    signed = pdf_signer.sign_pdf(writer, appearance_text_params={**params, "url": verify_url})
    return signed.getvalue()
