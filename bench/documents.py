"""Official documents: rendering each attachment to PDF (WeasyPrint), sealing it (pyHanko), verifying it."""
from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from time import perf_counter_ns
from typing import Any

from documents import Document, load_signer, load_trust, make_test_ca, render_pdf, samples, sign_pdf, verify_pdf

from bench.stats import summary

LONG_PLAN_LINES = 40
URL = "https://yikatong.example/documents/verify?id=bench"


def _documents() -> dict[str, Document]:
    return {"fund_plan": samples.fund_plan(), f"fund_plan_{LONG_PLAN_LINES}_lines": samples.fund_plan(LONG_PLAN_LINES),
            "acceptance_report": samples.acceptance_report(), "payment_notice": samples.payment_notice()}


def _pages(pdf: bytes, folder: Path) -> int | None:
    path = folder / "count.pdf"
    path.write_bytes(pdf)
    try:
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True, timeout=60).stdout
    except (OSError, subprocess.CalledProcessError):
        return None  # poppler-utils missing: the page count is only informative
    return next(int(line.split()[1]) for line in info.splitlines() if line.startswith("Pages:"))


def _time(runs: int, warmup: int, action: Callable[[], Any]) -> list[int]:
    samples_ns = []
    for index in range(warmup + runs):
        started = perf_counter_ns()
        action()
        if index >= warmup:
            samples_ns.append(perf_counter_ns() - started)
    return samples_ns


def measure_documents(runs: int, warmup: int = 1) -> dict[str, Any]:
    """Time render, sign and verify for each kind of document; return summaries with pages and bytes."""
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="yikatong_bench_documents_") as folder:
        ca = make_test_ca(folder)
        signer, trust = load_signer(ca.signing_key, ca.signing_cert), load_trust([ca.root_cert])
        for name, doc in _documents().items():
            pdf = render_pdf(doc)
            meta = samples.meta_for(doc.kind)
            signed = sign_pdf(pdf, signer, verify_url=URL, meta=meta)
            assert verify_pdf(signed, trust).valid
            results[name] = {
                "pages": _pages(pdf, Path(folder)), "pdf_bytes": len(pdf), "signed_bytes": len(signed),
                "render": summary(_time(runs, warmup, lambda: render_pdf(doc))),
                "sign": summary(_time(runs, warmup, lambda: sign_pdf(pdf, signer, verify_url=URL, meta=meta))),
                "verify": summary(_time(runs, warmup, lambda: verify_pdf(signed, trust))),
            }
    return results


def document_rows(results: dict[str, Any]) -> list[tuple[str, ...]]:
    """Return the table rows of the documents' results (informative: the brief sets no target)."""
    rows: list[tuple[str, ...]] = []
    for name, entry in results.get("documents", {}).items():
        pages = entry["pages"]
        for step, label in (("render", "render to PDF"), ("sign", "seal (PAdES + stamp)"), ("verify", "verify")):
            s = entry[step]
            per_page = f"{s['median_ms'] / pages:.0f} ms/page" if step == "render" and pages else ""
            size = entry["pdf_bytes"] if step == "render" else entry["signed_bytes"]
            rows.append(("doc", f"{name} ({pages or '?'} p., {size / 1024:.0f} kB): {label}", str(s["n"]),
                         f"{s['median_ms']:.1f} ms", f"{s['p90_ms']:.1f} ms", per_page, "info", "-"))
    return rows
