"""Official documents of the Measures as sealed PDFs: pure (data in, bytes out; no database, web or workflow).

Attachment 1 (fund use plan table), Attachment 2 (acceptance report) and Attachment 3 (payment
notice) are rendered from plain dataclasses (``documents.model``) through Jinja2 templates to HTML
and by WeasyPrint to A4 PDF with Noto CJK fonts embedded (``render_pdf``). ``sign_pdf`` seals a PDF
with a PAdES signature (pyHanko), a visible stamp in Chinese with a QR code of the verification
URL, and the document's metadata; ``verify_pdf`` tells whether a PDF is such a document, unaltered,
and which one. ``rmb_upper`` writes amounts in Chinese capitals (人民币大写).

This seal proves integrity and origin to anyone who verifies it against the operator's trust root.
It is NOT the legal electronic seal of GB/T 38540 (SM2 algorithms and a seal issued by an approved
authority); the paper signatures and seals on the printed forms remain the legally binding ones.

The heavy parts (WeasyPrint, pyHanko) are imported on first use, so ``from documents import
rmb_upper`` stays fast.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

from documents.model import (ACCEPTANCE_REPORT, BUREAU, FUND_PLAN, KINDS, PAYMENT_NOTICE, TITLES,
                             AcceptanceReportDoc, Document, DocumentMeta, FundPlanDoc, FundPlanLine,
                             PaymentNoticeDoc, SignOff)
from documents.rmb import AmountError, parse_amount, rmb_upper

_LAZY = {
    "render_html": "documents.render", "render_pdf": "documents.render",
    "Signer": "documents.signing", "SigningConfigError": "documents.signing", "load_signer": "documents.signing",
    "signer_from_env": "documents.signing", "sign_pdf": "documents.signing",
    "Trust": "documents.verify", "Verification": "documents.verify", "load_trust": "documents.verify",
    "trust_from_env": "documents.verify", "verify_pdf": "documents.verify",
    "TestCa": "documents.testca", "make_test_ca": "documents.testca",
}

__all__ = ["ACCEPTANCE_REPORT", "BUREAU", "FUND_PLAN", "KINDS", "PAYMENT_NOTICE", "TITLES", "AcceptanceReportDoc",
           "AmountError", "Document", "DocumentMeta", "FundPlanDoc", "FundPlanLine", "PaymentNoticeDoc", "SignOff",
           "parse_amount", "rmb_upper", *_LAZY]


def __getattr__(name: str) -> Any:
    """Import the rendering and signing functions on first use."""
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'documents' has no attribute {name!r}")
