"""Move a running workflow to a newer version of its diagram, after deciding that it can move safely.

SpiffWorkflow aligns the old and new task specs and resets the current tasks onto the new ones;
whether that is safe is decided here: every current step must still exist, no finished step the
history depends on may have been removed, and every value the rest of the new version reads must
be in the project's data already or be filled in by a step still to come.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.util.diff import SpecDiff, diff_workflow, migrate_workflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.checks import BPMN, SPIFF
from engine.errors import EngineError, ExpressionError
from engine.expressions import names_in, parse_script
from engine.forms import expressions_of
from engine.graph import Graph, build_graph, executable_processes, reachable_from
from engine.model import LoadedModel
from engine.runtime import ReadyTask, SafeScriptEngine, dump, ready_tasks, restore
from engine.serialization import REGISTRY

CURRENT = TaskState.READY | TaskState.WAITING | TaskState.STARTED
REASONS = {
    "task-missing": "当前步骤“{name}”（{element}）在新版本中不存在",
    "history-missing": "已办理的步骤“{name}”（{element}）在新版本中已被删除，已办记录无法对应到新版本",
    "value-missing": "新版本后续步骤需要的数据 {names} 在该项目中没有，之后的步骤也不会填写",
    "subprocess": "项目正在子流程中，暂不支持迁移",
    "state": "项目状态无法转换到新版本：{detail}",
}
SCRIPT_TAGS = (f"{{{BPMN}}}script", f"{{{SPIFF}}}preScript", f"{{{SPIFF}}}postScript")
TIMER_TAGS = (f"{{{BPMN}}}timeDate", f"{{{BPMN}}}timeDuration", f"{{{BPMN}}}timeCycle")


@dataclass
class Migration:
    """Whether a workflow can move, why not, and the moved workflow when it can."""

    ok: bool
    code: str | None = None
    reason: str | None = None
    workflow: BpmnWorkflow | None = None
    before: dict[str, ReadyTask] = field(default_factory=dict)


def _refused(code: str, **params: Any) -> Migration:
    return Migration(False, code, REASONS[code].format(**params))


def _title(task: Task) -> str:
    return task.task_spec.bpmn_name or task.task_spec.bpmn_id or task.task_spec.name


def _current(workflow: BpmnWorkflow) -> list[Task]:
    return [t for t in workflow.get_tasks(state=CURRENT, skip_subprocesses=True) if t.task_spec.bpmn_id]


def _structure_refusal(workflow: BpmnWorkflow, new: LoadedModel) -> Migration | None:
    if workflow.subprocesses:
        return _refused("subprocess")
    for task in _current(workflow):
        if task.task_spec.name not in new.spec.task_specs:
            return _refused("task-missing", name=_title(task), element=task.task_spec.bpmn_id)
    removed = SpecDiff(REGISTRY, workflow.spec, new.spec).removed
    for task in workflow.get_tasks(state=TaskState.COMPLETED, skip_subprocesses=True):
        if task.task_spec in removed and task.task_spec.bpmn_id:
            return _refused("history-missing", name=_title(task), element=task.task_spec.bpmn_id)
    return None


def _script_names(node: etree._Element, needed: set[str], produced: set[str]) -> None:
    for script in node.iter(*SCRIPT_TAGS):
        try:
            assignments = parse_script(script.text or "")
        except ExpressionError:
            continue
        for name, expression in assignments:
            needed.update(names_in(expression))
            produced.add(name)


def _node_names(graph: Graph, node_id: str, new: LoadedModel, needed: set[str], produced: set[str]) -> None:
    node = graph.nodes[node_id]
    for flow in graph.outgoing(node_id):
        needed.update(names_in(flow.condition or ""))
    _script_names(node, needed, produced)
    for timer in node.iter(*TIMER_TAGS):
        needed.update(names_in(timer.text or ""))
    for variable in node.iter(f"{{{SPIFF}}}messageVariable"):  # a caught message's payload
        produced.add((variable.text or "").strip())
    for operator in node.iter(f"{{{SPIFF}}}serviceTaskOperator"):
        produced.add(operator.get("resultVariable") or "")
        for parameter in operator.iter(f"{{{SPIFF}}}parameter"):
            needed.update(names_in(parameter.get("value") or ""))
    info = new.user_tasks.get(node_id)
    if info is not None:
        schema = new.forms.get(info.form, {})
        produced.update(schema.get("properties", {}))
        for _pointer, expression in expressions_of(schema):
            needed.update(names_in(expression))


def missing_values(workflow: BpmnWorkflow, new: LoadedModel, new_root: etree._Element) -> list[str]:
    """Return the names the rest of the new version reads that nothing provides for this workflow."""
    graph = build_graph(executable_processes(new_root)[0])
    current = _current(workflow)
    produced: set[str] = set()
    for task in current:
        produced.update(task.data)
    needed: set[str] = set()
    for node_id in reachable_from(graph, [t.task_spec.bpmn_id for t in current]):
        _node_names(graph, node_id, new, needed, produced)
    return sorted(needed - produced)


def _move(workflow: BpmnWorkflow, new: LoadedModel) -> None:
    top, _subprocesses = diff_workflow(REGISTRY, workflow, new.spec, new.subprocess_specs)
    migrate_workflow(top, workflow, new.spec)
    workflow.subprocess_specs = new.subprocess_specs
    workflow.do_engine_steps()


def plan_migration(old: LoadedModel, state: bytes, new: LoadedModel, new_root: etree._Element,
                   engine: SafeScriptEngine) -> Migration:
    """Decide whether the workflow stored as *state* can move from *old* to *new*; move it in memory if so."""
    workflow = restore(old, state, engine)
    before = {t.id: t for t in ready_tasks(workflow)}
    refusal = _structure_refusal(workflow, new)
    if refusal is None:
        missing = missing_values(workflow, new, new_root)
        refusal = _refused("value-missing", names="、".join(missing)) if missing else None
    if refusal is not None:
        return refusal
    try:
        _move(workflow, new)
        moved = restore(new, dump(workflow), engine)
    except (SpiffWorkflowException, EngineError, KeyError, ValueError, TypeError) as exc:
        return _refused("state", detail=str(exc))
    return Migration(True, workflow=moved, before=before)
