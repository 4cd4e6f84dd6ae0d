"""`yikatong rmb` and `yikatong documents …`: amounts in capitals, sample documents, sealing and verifying PDFs.

These commands touch no database: they call the pure ``documents`` package directly.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from documents import KINDS, AmountError, Document, rmb_upper

EXIT_INVALID = 2


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_INVALID)


def _print(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


@click.command("rmb", context_settings={"ignore_unknown_options": True})
@click.argument("amount")
def rmb(amount: str) -> None:
    """Print AMOUNT (yuan, e.g. 1680.32) in Chinese capitals: {"upper": "壹仟陆佰捌拾元零叁角贰分"}."""
    try:
        _print({"upper": rmb_upper(amount)})
    except AmountError as exc:
        _fail(str(exc))


@click.group("documents")
def documents_group() -> None:
    """Official documents (Attachments 1–3) as sealed PDFs."""


@documents_group.command("sample")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--sign", "sign_url", metavar="URL", help="seal it with the configured key; URL goes in the QR code")
def sample(kind: str, out: Path, sign_url: str | None) -> None:
    """Write a sample document of KIND to OUT as PDF (sealed with --sign)."""
    from documents import render_pdf, samples, sign_pdf, signer_from_env
    from documents.signing import SigningConfigError

    makers: dict[str, Callable[[], Document]] = {
        "fund_plan": samples.fund_plan, "acceptance_report": samples.acceptance_report,
        "payment_notice": samples.payment_notice}
    doc = makers[kind]()
    pdf = render_pdf(doc)
    if sign_url:
        try:
            signer = signer_from_env()
        except SigningConfigError as exc:
            _fail(str(exc))
        if signer is None:
            _fail("no signing key configured: set YIKATONG_SIGNING_KEY and YIKATONG_SIGNING_CERT")
        pdf = sign_pdf(pdf, signer, verify_url=sign_url, meta=samples.meta_for(kind))
    out.write_bytes(pdf)
    _print({"kind": kind, "path": str(out), "bytes": len(pdf), "signed": bool(sign_url)})


@documents_group.command("verify")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def verify(file: Path) -> None:
    """Tell whether FILE is a document sealed by this system (trust root: YIKATONG_SIGNING_TRUST)."""
    from documents import trust_from_env, verify_pdf
    from documents.signing import SigningConfigError

    if not file.is_file():
        _fail(f"{file}: no such file")
    try:
        trust = trust_from_env()
    except SigningConfigError as exc:
        _fail(str(exc))
    if trust is None:
        _fail("no trust root configured: set YIKATONG_SIGNING_TRUST")
    verdict = verify_pdf(file.read_bytes(), trust)
    meta = verdict.meta
    _print({"valid": verdict.valid, "code": verdict.code, "reason": verdict.reason,
            "kind": meta.kind if meta else None, "project_id": meta.project_id if meta else None,
            "version": meta.version if meta else None, "document_id": meta.document_id if meta else None,
            "signed_at": verdict.signed_at.isoformat() if verdict.signed_at else None})


@documents_group.command("make-ca")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def make_ca(folder: Path) -> None:
    """Create (or reuse) a demonstration CA and signing certificate in FOLDER; print the environment to use."""
    from documents import make_test_ca

    _print(make_test_ca(folder).environ())
