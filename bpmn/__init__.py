"""The process diagrams of the Measures and their forms, shipped as package data."""
from __future__ import annotations

from pathlib import Path

DIAGRAMS_DIR = Path(__file__).resolve().parent


def diagram_paths() -> list[Path]:
    """Return every shipped diagram, in name order."""
    return sorted(DIAGRAMS_DIR.glob("*.bpmn"))
