"""The shape of a BPMN process read from its XML: flow nodes, sequence flows, lanes and what is reachable."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from lxml import etree

from engine.checks import BPMN

FLOW_NODE_TAGS = frozenset("""
startEvent endEvent intermediateCatchEvent intermediateThrowEvent boundaryEvent
userTask manualTask task scriptTask serviceTask subProcess
exclusiveGateway parallelGateway inclusiveGateway eventBasedGateway
""".split())


def _tag(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


@dataclass(frozen=True)
class Flow:
    """One sequence flow: where it starts and ends, and its condition (if any)."""

    id: str
    source: str
    target: str
    condition: str | None
    line: int | None


@dataclass
class Graph:
    """The flow nodes and sequence flows of one process, its sub-processes included."""

    nodes: dict[str, etree._Element] = field(default_factory=dict)
    flows: dict[str, Flow] = field(default_factory=dict)
    attached: dict[str, list[str]] = field(default_factory=dict)
    lanes: list[etree._Element] = field(default_factory=list)

    def outgoing(self, node_id: str) -> list[Flow]:
        """Return the sequence flows leaving *node_id*, in document order."""
        return [f for f in self.flows.values() if f.source == node_id]

    def kind(self, node_id: str) -> str:
        """Return the BPMN tag of a flow node (userTask, exclusiveGateway, ...)."""
        return _tag(self.nodes[node_id])

    def starts(self, container: etree._Element) -> list[str]:
        """Return the start events directly inside a process or sub-process."""
        return [child.get("id") for child in container if _tag(child) == "startEvent" and child.get("id")]


def _flow(element: etree._Element) -> Flow:
    condition = element.find(f"{{{BPMN}}}conditionExpression")
    text = (condition.text or "").strip() if condition is not None else ""
    return Flow(element.get("id") or "", element.get("sourceRef") or "", element.get("targetRef") or "",
                text or None, element.sourceline)


def _walk(container: etree._Element, graph: Graph) -> None:
    for child in container:
        tag = _tag(child)
        if tag in FLOW_NODE_TAGS and child.get("id"):
            graph.nodes[child.get("id")] = child
            if tag == "boundaryEvent" and child.get("attachedToRef"):
                graph.attached.setdefault(child.get("attachedToRef"), []).append(child.get("id"))
            if tag == "subProcess":
                _walk(child, graph)
        elif tag == "sequenceFlow" and child.get("id"):
            graph.flows[child.get("id")] = _flow(child)


def build_graph(process: etree._Element) -> Graph:
    """Read the flow nodes, flows, boundary events and lanes of *process*."""
    graph = Graph()
    _walk(process, graph)
    graph.lanes = [lane for lane in process.iter(f"{{{BPMN}}}lane")]
    return graph


def _successors(graph: Graph, node_id: str) -> Iterator[str]:
    for flow in graph.outgoing(node_id):
        yield flow.target
    yield from graph.attached.get(node_id, [])
    node = graph.nodes.get(node_id)
    if node is not None and _tag(node) == "subProcess":
        yield from graph.starts(node)


def reachable_from(graph: Graph, roots: Iterable[str]) -> set[str]:
    """Return every flow node a path reaches from *roots* (the roots included)."""
    seen: set[str] = set()
    stack = [r for r in roots if r in graph.nodes]
    while stack:
        node_id = stack.pop()
        if node_id in seen:
            continue
        seen.add(node_id)
        stack.extend(n for n in _successors(graph, node_id) if n in graph.nodes and n not in seen)
    return seen


def executable_processes(root: etree._Element) -> list[etree._Element]:
    """Return the processes of a definitions element marked isExecutable."""
    return [p for p in root.findall(f"{{{BPMN}}}process") if p.get("isExecutable", "false") == "true"]


def flow_index(process: etree._Element) -> dict[tuple[str, str], list[str]]:
    """Return the ids of the sequence flows of *process* by (source, target)."""
    index: dict[tuple[str, str], list[str]] = {}
    for flow in build_graph(process).flows.values():
        index.setdefault((flow.source, flow.target), []).append(flow.id)
    return index
