"""Every shipped diagram opens in bpmn-js without warnings, passes bpmnlint's recommended rules and keeps
our spiffworkflow extensions untouched when bpmn-js writes it back — checked with the real tools."""
from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from bpmn import diagram_paths
from tests.frontend.build import FRONTEND, ROOT, built

SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
DIAGRAMS = [*diagram_paths(), *sorted((ROOT / "bench").glob("*.bpmn"))]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def _ids(paths: list[Path]) -> list[str]:
    return [p.relative_to(ROOT).as_posix() for p in paths]


@pytest.fixture(scope="module")
def node_reports() -> dict[str, dict[str, Any]]:
    """bpmnlint's findings and bpmn-moddle's round trip of every diagram, from one node process."""
    built()
    node = shutil.which("node")
    assert node, "Node.js is needed for bpmnlint"
    done = subprocess.run([node, "scripts/check-diagrams.mjs", *map(str, DIAGRAMS)], cwd=FRONTEND, check=True,
                          capture_output=True, text=True)
    return {Path(r["file"]).resolve().relative_to(ROOT).as_posix(): r for r in json.loads(done.stdout)}


@pytest.fixture(scope="module")
def import_page() -> Iterator[Any]:
    """A blank page in Debian's Chromium with the import-check bundle (bpmn-js viewer and modeler) loaded."""
    playwright_sync = pytest.importorskip("playwright.sync_api")
    dist = built()
    assert Path(CHROMIUM).exists(), "Debian chromium is not installed (scripts/test installs it)"
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.set_content("<!doctype html><html><body></body></html>")
        page.add_script_tag(path=str(dist / "import-check.js"))
        yield page
        browser.close()


def test_the_shipped_and_benchmark_diagrams_are_all_checked() -> None:
    names = _ids(DIAGRAMS)
    assert "bpmn/fund_project.bpmn" in names and "bench/linear.bpmn" in names


@pytest.mark.parametrize("path", DIAGRAMS, ids=_ids(DIAGRAMS))
def test_bpmnlint_recommended_rules_pass(node_reports: dict[str, dict[str, Any]], path: Path) -> None:
    report = node_reports[path.relative_to(ROOT).as_posix()]
    assert report["lint"] == []
    assert report["warnings"] == [] and report["generic"] == []


def _spiff_elements(xml: bytes) -> list[tuple[str | None, str, tuple[tuple[str, str], ...], str]]:
    root = etree.fromstring(xml)
    found = []
    for element in root.iter(f"{{{SPIFF}}}*"):
        owner = element.getparent()
        while owner is not None and owner.get("id") is None:
            owner = owner.getparent()
        found.append((owner.get("id") if owner is not None else None, etree.QName(element).localname,
                      tuple(sorted(element.attrib.items())), (element.text or "").strip()))
    return found


@pytest.mark.parametrize("path", DIAGRAMS, ids=_ids(DIAGRAMS))
def test_our_extensions_survive_a_round_trip_through_bpmn_moddle(node_reports: dict[str, dict[str, Any]],
                                                                 path: Path) -> None:
    written = node_reports[path.relative_to(ROOT).as_posix()]["roundtrip"].encode()
    assert _spiff_elements(written) == _spiff_elements(path.read_bytes())


@pytest.mark.parametrize("path", DIAGRAMS, ids=_ids(DIAGRAMS))
def test_bpmn_js_imports_without_warnings(import_page: Any, path: Path) -> None:
    result = import_page.evaluate("xml => window.yikatongImportCheck(xml)", path.read_text(encoding="utf-8"))
    for kind in ("viewer", "modeler"):
        assert result[kind]["warnings"] == [], kind
        assert result[kind]["shapes"] > 5
    assert _spiff_elements(result["modeler"]["saved"].encode()) == _spiff_elements(path.read_bytes())
