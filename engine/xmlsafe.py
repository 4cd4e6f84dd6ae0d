"""Parse untrusted XML with a hardened parser: no DTD, no entities, no network."""
from __future__ import annotations

from lxml import etree

from engine.errors import ModelError

MAX_BPMN_BYTES = 2 * 1024 * 1024


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
    )


def parse_xml(data: bytes) -> etree._Element:
    """Return the root element of *data*, refusing DOCTYPEs, entities and oversized input."""
    if not isinstance(data, bytes):
        raise ModelError("the diagram must be given as bytes", rule="xml-forbidden")
    if len(data) > MAX_BPMN_BYTES:
        raise ModelError(f"the file is larger than {MAX_BPMN_BYTES // 1024} KiB", rule="xml-forbidden")
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise ModelError("a DOCTYPE or entity declaration is not allowed", rule="xml-forbidden")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise ModelError(f"not well-formed XML: {exc.msg}", line=exc.lineno, rule="xml-not-well-formed") from exc
    tree = root.getroottree()
    if tree.docinfo.doctype:
        raise ModelError("a DOCTYPE is not allowed", rule="xml-forbidden")
    return root
