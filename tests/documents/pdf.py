"""Read generated PDFs back with poppler's command-line tools, as a person's PDF reader would."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path


def _run(tool: str, pdf: bytes, folder: Path, *args: str) -> str:
    path = folder / "document.pdf"
    path.write_bytes(pdf)
    return subprocess.run([tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])], capture_output=True,
                          text=True, check=True, timeout=60).stdout


def text_of(pdf: bytes, folder: Path) -> str:
    """Return the PDF's text in drawing order with all white space removed (lines wrap anywhere in Chinese)."""
    return re.sub(r"\s+", "", _run("pdftotext", pdf, folder, "-raw"))


def info_of(pdf: bytes, folder: Path) -> str:
    """Return pdfinfo's report."""
    return _run("pdfinfo", pdf, folder)


def fonts_of(pdf: bytes, folder: Path) -> list[list[str]]:
    """Return pdffonts' rows (name, type, …, emb, sub, uni, …) split into columns."""
    lines = _run("pdffonts", pdf, folder).splitlines()[2:]
    return [line.split() for line in lines]


def squeeze(value: str) -> str:
    """Return *value* without white space, to compare with ``text_of``."""
    return re.sub(r"\s+", "", value)
