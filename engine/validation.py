"""Check a diagram before it is deployed and report every problem, each with its element, line and rule."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from lxml import etree

from engine.checks import BPMN, BPMNDI, SPIFF, tree_problems
from engine.errors import ModelError
from engine.graph import Graph, build_graph, executable_processes, reachable_from
from engine.xmlsafe import parse_xml

FORM_PROPERTY = "formJsonSchemaFilename"
MESSAGES = {
    "xml-not-well-formed": "不是格式正确的 XML：{detail}",
    "xml-forbidden": "文件不被接受：{detail}",
    "not-bpmn": "不是有效的 BPMN 图：{detail}",
    "executable-process": "图中必须恰好有一个可执行流程（isExecutable=\"true\"），现有 {count} 个",
    "unsupported-element": "不支持的元素：{detail}",
    "unsafe-expression": "表达式不安全或无效（只允许受限的表达式）：{detail}",
    "unsafe-script": "脚本不安全或无效（每行只允许“名称 = 表达式”）：{detail}",
    "unknown-operation": "未登记的服务操作：{detail}",
    "lane-role": "泳道“{name}”没有对应的角色；泳道名称须为以下角色之一：{roles}",
    "task-lane": "用户任务“{name}”不在任何泳道中（泳道决定由哪个角色办理）",
    "user-task-form": "用户任务“{name}”没有表单（spiffworkflow:property {property}）",
    "form-missing": "用户任务“{name}”使用的表单 {form} 不存在",
    "form-json": "表单 {form} 不是有效的 JSON：{detail}",
    "form-schema": "表单 {form} 不是有效的表单 JSON Schema：{detail}",
    "form-ref": "表单 {form} 在 {pointer} 使用了 {keyword}；表单不得引用或声明其他文档",
    "form-convention": "表单 {form} 的填写规则有误：{detail}",
    "form-expression": "表单 {form} 在 {pointer} 的表达式不安全或无效：{detail}",
    "no-start": "流程“{name}”没有开始事件",
    "unreachable": "没有任何路径能到达“{name}”",
    "gateway-conditions": "排他网关“{name}”既没有默认路径，也没有为每条出口设置条件（没有条件的出口：{flows}）",
    "gateway-default": "排他网关“{name}”的默认路径 {flow} 不是它的出口",
    "di-absent": "图中没有布局（BPMN DI），无法显示和编辑",
    "di-missing": "“{name}”在布局（BPMN DI）中没有图形",
}


@dataclass(frozen=True)
class Problem:
    """One reason a diagram cannot be deployed."""

    element: str | None
    line: int | None
    rule: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        """Return the problem as the report lists it."""
        return {"element": self.element, "line": self.line, "rule": self.rule, "message": self.message}


@dataclass(frozen=True)
class FormUse:
    """A user task and the form file it names."""

    task: str
    name: str
    line: int | None
    form: str


def problem(rule: str, element: str | None = None, line: int | None = None, **params: Any) -> Problem:
    """Return a problem of *rule* with its Chinese message."""
    return Problem(element, line, rule, MESSAGES[rule].format(**params))


def from_model_error(error: ModelError) -> Problem:
    """Return the problem an engine refusal stands for."""
    return problem(error.rule if error.rule in MESSAGES else "not-bpmn", error.element, error.line,
                   detail=error.reason)


def _label(element: etree._Element) -> str:
    return (element.get("name") or "").strip() or element.get("id") or "?"


def _leaf_lanes(graph: Graph) -> list[etree._Element]:
    return [lane for lane in graph.lanes if lane.find(f"{{{BPMN}}}childLaneSet") is None]


def _lane_problems(graph: Graph, roles: Collection[str]) -> list[Problem]:
    allowed = "、".join(roles)
    return [problem("lane-role", lane.get("id"), lane.sourceline, name=_label(lane), roles=allowed)
            for lane in _leaf_lanes(graph) if (lane.get("name") or "").strip() not in roles]


def _form_property(task: etree._Element) -> str | None:
    for prop in task.iterfind(f"{{{BPMN}}}extensionElements/{{{SPIFF}}}properties/{{{SPIFF}}}property"):
        if prop.get("name") == FORM_PROPERTY:
            return (prop.get("value") or "").strip() or None
    return None


def _user_tasks(graph: Graph) -> tuple[list[Problem], list[FormUse]]:
    in_lane = {(ref.text or "").strip() for lane in _leaf_lanes(graph)
               for ref in lane.iterfind(f"{{{BPMN}}}flowNodeRef")}
    problems, uses = [], []
    for node_id, node in graph.nodes.items():
        if graph.kind(node_id) != "userTask":
            continue
        if node_id not in in_lane:
            problems.append(problem("task-lane", node_id, node.sourceline, name=_label(node)))
        form = _form_property(node)
        if form is None:
            problems.append(problem("user-task-form", node_id, node.sourceline, name=_label(node),
                                    property=FORM_PROPERTY))
        else:
            uses.append(FormUse(node_id, _label(node), node.sourceline, form))
    return problems, uses


def _reach_problems(process: etree._Element, graph: Graph) -> list[Problem]:
    starts = graph.starts(process)
    if not starts:
        return [problem("no-start", process.get("id"), process.sourceline, name=_label(process))]
    reached = reachable_from(graph, starts)
    return [problem("unreachable", node_id, node.sourceline, name=_label(node))
            for node_id, node in graph.nodes.items() if node_id not in reached]


def _gateway_problems(graph: Graph) -> list[Problem]:
    problems = []
    for node_id, node in graph.nodes.items():
        outgoing = graph.outgoing(node_id)
        if graph.kind(node_id) != "exclusiveGateway" or len(outgoing) < 2:
            continue
        default = node.get("default")
        if default and default not in {f.id for f in outgoing}:
            problems.append(problem("gateway-default", node_id, node.sourceline, name=_label(node), flow=default))
        elif not default and any(f.condition is None for f in outgoing):
            bare = "、".join(f.id for f in outgoing if f.condition is None)
            problems.append(problem("gateway-conditions", node_id, node.sourceline, name=_label(node), flows=bare))
    return problems


def _di_problems(root: etree._Element, process: etree._Element, graph: Graph) -> list[Problem]:
    drawn = {shape.get("bpmnElement") for shape in root.iter(f"{{{BPMNDI}}}BPMNShape", f"{{{BPMNDI}}}BPMNEdge")}
    if not drawn:
        return [problem("di-absent", process.get("id"), process.sourceline)]
    elements = [*graph.nodes.values(), *graph.lanes,
                *(e for e in process.iter(f"{{{BPMN}}}sequenceFlow"))]
    return [problem("di-missing", e.get("id"), e.sourceline, name=_label(e))
            for e in elements if e.get("id") not in drawn]


def structure_problems(bpmn: bytes, operations: Collection[str], roles: Collection[str]
                       ) -> tuple[list[Problem], list[FormUse]]:
    """Return every problem of the diagram itself, and the forms its user tasks name."""
    try:
        root = parse_xml(bpmn)
    except ModelError as exc:
        return [from_model_error(exc)], []
    problems = [from_model_error(e) for e in tree_problems(root, operations)]
    if any(p.rule == "not-bpmn" for p in problems):
        return problems, []
    processes = executable_processes(root)
    if len(processes) != 1:
        problems.append(problem("executable-process", None, root.sourceline, count=len(processes)))
        if not processes:
            return problems, []
    process = processes[0]
    graph = build_graph(process)
    task_problems, uses = _user_tasks(graph)
    problems += _lane_problems(graph, roles) + task_problems + _reach_problems(process, graph)
    problems += _gateway_problems(graph) + _di_problems(root, process, graph)
    return problems, uses
