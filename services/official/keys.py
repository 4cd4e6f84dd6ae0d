"""The seal's key and trust roots: the operator's (environment variables) or the demo CA of `yikatong demo`.

Order: YIKATONG_SIGNING_KEY/_CERT when set (trust roots from YIKATONG_SIGNING_TRUST, else the
certificate and its chain themselves); otherwise the demonstration CA that `yikatong demo` creates
under the instance folder (``signing/``); otherwise no key: documents are issued unsealed and
marked so (the process must not stop because the operator has not configured a key yet).
A key that is configured but cannot be loaded is an error, never silently ignored.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.context import Services
from services.errors import ServiceError

DEMO_FOLDER = "signing"
PUBLIC_URL_ENV = "YIKATONG_PUBLIC_URL"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:5000"
CACHE_KEY = "keys"


@dataclass(frozen=True)
class SealKeys:
    """What seals and what verifies: either may be missing (source tells where they came from)."""

    signer: Any | None   # documents.Signer
    trust: Any | None    # documents.Trust
    source: str          # environment, demo or none


def signing_dir(ctx: Services) -> Path:
    """Return the folder of the demo CA: beside the file store in the instance folder."""
    return ctx.files_dir.parent / DEMO_FOLDER


def public_url(environ: Mapping[str, str] = os.environ) -> str:
    """Return the address the seal's QR code points to (YIKATONG_PUBLIC_URL, without a trailing slash)."""
    return (environ.get(PUBLIC_URL_ENV) or DEFAULT_PUBLIC_URL).rstrip("/")


def _demo_files(folder: Path) -> Any | None:
    from documents import TestCa

    files = TestCa(folder / "root-ca.pem", folder / "signing-key.pem", folder / "signing-cert.pem")
    return files if all(p.is_file() for p in (files.root_cert, files.signing_key, files.signing_cert)) else None


def load_keys(folder: Path, environ: Mapping[str, str] = os.environ) -> SealKeys:
    """Load the signer and trust roots as the module docstring says; raise ServiceError on a broken key."""
    import documents
    from documents.signing import CERT_ENV, CHAIN_ENV, SigningConfigError

    try:
        trust = documents.trust_from_env(environ)
        signer = documents.signer_from_env(environ)
        if signer is not None:
            chain = [p for p in environ.get(CHAIN_ENV, "").split(os.pathsep) if p]
            return SealKeys(signer, trust or documents.load_trust([environ[CERT_ENV], *chain]), "environment")
        demo = _demo_files(folder)
        if demo is not None:
            signer = documents.load_signer(demo.signing_key, demo.signing_cert)
            return SealKeys(signer, trust or documents.load_trust([demo.root_cert]), "demo")
    except SigningConfigError as exc:
        raise ServiceError(f"The document seal is misconfigured: {exc}") from exc
    return SealKeys(None, trust, "none")


def keys(ctx: Services) -> SealKeys:
    """Return the seal keys of this process (loaded once)."""
    found = ctx.seal_cache.get(CACHE_KEY)
    if found is None:
        found = ctx.seal_cache[CACHE_KEY] = load_keys(signing_dir(ctx))
    return found


def ensure_demo_ca(ctx: Services, environ: Mapping[str, str] = os.environ) -> Path | None:
    """Create the demo CA under the instance folder unless the operator configured a key; return its folder."""
    from documents import make_test_ca
    from documents.signing import KEY_ENV

    if environ.get(KEY_ENV):
        return None
    folder = signing_dir(ctx)
    make_test_ca(folder)
    from services.official.rendering import forget_keys  # it builds on this module

    forget_keys(ctx)
    return folder
