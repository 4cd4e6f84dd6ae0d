"""Move a running workflow to a newer version of its diagram, after deciding that it can move safely.

SpiffWorkflow aligns the old and new task specs and resets the ready tasks onto the new ones;
whether that is safe is decided here, for the top-level process and for every subprocess the
workflow has entered (the one it is inside now and those it finished): every current step must
still exist, every entered subprocess must still exist, no finished step the history depends on
may have been removed, and every value the rest of the new version reads must be in the project's
data already, be filled in by a step still to come, or be read by the rest of the old version as well
(then it comes from outside the diagram: the start data, the system's hooks). A workflow inside a
multi-instance step, or with a timer due that the worker has not fired yet, does not move.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.util.diff import WorkflowDiff, diff_workflow, migrate_workflow
from SpiffWorkflow.bpmn.util.subworkflow import BpmnBaseWorkflow, BpmnSubWorkflow
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
from engine.runtime import ReadyTask, SafeScriptEngine, dump, next_timer, ready_tasks, restore
from engine.serialization import REGISTRY

CURRENT = TaskState.READY | TaskState.WAITING | TaskState.STARTED
PREDICTED = TaskState.PREDICTED_MASK | TaskState.FUTURE
# What migrate_workflow resets (drops what follows, makes ready again): ready tasks only. A waiting event reset
# would work its time out again from its parent's data, which misses a deadline recomputed since (new calendar
# data), and could fire during the move, its notice never sent; what follows it is predicted again instead.
RESET = TaskState.READY
REASONS = {
    "task-missing": "当前步骤“{name}”（{element}）在新版本中不存在",
    "history-missing": "已办理的步骤“{name}”（{element}）在新版本中已被删除，已办记录无法对应到新版本",
    "value-missing": "新版本后续步骤需要的数据 {names} 在该项目中没有，之后的步骤也不会填写",
    "subprocess-missing": "项目进入过的子流程“{name}”（{element}）在新版本中已不存在或已不是同一个子流程，"
                          "其中的步骤无法对应到新版本",
    "multi-instance": "项目正在多实例步骤“{name}”（{element}）中（各实例分别办理），这类步骤暂不支持迁移",
    "timer-due": "项目的定时事件已于 {due} 到期、尚待定时任务处理，处理后再迁移",
    "state": "项目状态无法转换到新版本：{detail}",
}
SCRIPT_TAGS = (f"{{{BPMN}}}script", f"{{{SPIFF}}}preScript", f"{{{SPIFF}}}postScript")
TIMER_TAGS = (f"{{{BPMN}}}timeDate", f"{{{BPMN}}}timeDuration", f"{{{BPMN}}}timeCycle")


@dataclass(frozen=True)
class Version:
    """One version of a diagram: the loaded model and the parsed BPMN it was loaded from."""

    model: LoadedModel
    root: etree._Element


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


def _current(flow: BpmnBaseWorkflow) -> list[Task]:
    """Return the current tasks of one level (the process or one subprocess), not those of subprocesses below."""
    return [t for t in flow.get_tasks(state=CURRENT, skip_subprocesses=True) if t.task_spec.bpmn_id]


def _live(workflow: BpmnWorkflow) -> list[BpmnSubWorkflow]:
    """Return the subprocesses, at any depth, that the workflow is inside now."""
    return [sub for sub in workflow.subprocesses.values() if not sub.completed]


def _levels(workflow: BpmnWorkflow) -> list[BpmnBaseWorkflow]:
    """Return the levels that run now: the top-level process and each live subprocess."""
    return [workflow, *_live(workflow)]


def _new_spec(flow: BpmnBaseWorkflow, new: LoadedModel) -> BpmnProcessSpec | None:
    """Return the new version's spec of one level, None if the new version lacks that subprocess."""
    if isinstance(flow, BpmnSubWorkflow):
        return new.subprocess_specs.get(flow.spec.name)
    return new.spec


def _multi_instance_refusal(workflow: BpmnWorkflow) -> Migration | None:
    """Refuse a workflow inside a multi-instance step (a task or a sub-process) at any running level.

    migrate_workflow resets each instance as if it were a task of its own: the instance loses its
    item and the step never completes (an allocation run's banks lost their tasks and the run hung).
    """
    for flow in _levels(workflow):
        for task in _current(flow):
            if isinstance(task.task_spec, LoopTask):
                instance = task.workflow.spec.task_specs.get(task.task_spec.task_spec)
                name = instance.bpmn_name if instance is not None and instance.bpmn_name else _title(task)
                return _refused("multi-instance", name=name, element=task.task_spec.bpmn_id)
    return None


def _subprocess_refusal(workflow: BpmnWorkflow, sub: BpmnSubWorkflow, new: LoadedModel) -> Migration | None:
    parent = workflow.get_task_from_id(sub.parent_task_id)
    if not sub.completed and any(not child.has_state(PREDICTED) for child in parent.children):
        # What follows a live sub-process is predicted again from the new version (see _repredict); a task
        # there that already runs would be dropped. No diagram the engine accepts was seen to do this.
        return _refused("state", detail=f"子流程“{_title(parent)}”之后的步骤已经开始")
    container = _new_spec(parent.workflow, new)
    new_parent = container.task_specs.get(parent.task_spec.name) if container is not None else None
    if (sub.spec.name not in new.subprocess_specs or not isinstance(new_parent, SubWorkflowTask)
            or new_parent.spec != sub.spec.name):
        return _refused("subprocess-missing", name=_title(parent), element=parent.task_spec.bpmn_id)
    return None


def _level_refusal(flow: BpmnBaseWorkflow, diff: WorkflowDiff, spec: BpmnProcessSpec) -> Migration | None:
    """Refuse if a current task of a running level is gone, or a finished step of its history was removed."""
    running = not (isinstance(flow, BpmnSubWorkflow) and flow.completed)
    for task in _current(flow) if running else []:
        if task.task_spec.name not in spec.task_specs:
            return _refused("task-missing", name=_title(task), element=task.task_spec.bpmn_id)
    for task in diff.removed:
        if task.state == TaskState.COMPLETED and task.task_spec.bpmn_id:
            return _refused("history-missing", name=_title(task), element=task.task_spec.bpmn_id)
    return None


def _structure_refusal(workflow: BpmnWorkflow, new: LoadedModel) -> Migration | None:
    multi_instance = _multi_instance_refusal(workflow)
    if multi_instance is not None:
        return multi_instance
    for sub in workflow.subprocesses.values():
        refusal = _subprocess_refusal(workflow, sub, new)
        if refusal is not None:
            return refusal
    top, subs = diff_workflow(REGISTRY, workflow, new.spec, new.subprocess_specs)
    levels: list[tuple[BpmnBaseWorkflow, WorkflowDiff]] = [(workflow, top)]
    levels += [(sub, subs[sub_id]) for sub_id, sub in workflow.subprocesses.items()]
    for flow, diff in levels:
        spec = _new_spec(flow, new)
        refusal = _level_refusal(flow, diff, spec) if spec is not None else None
        if refusal is not None:
            return refusal
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


def _items(loops: list[etree._Element]) -> set[str]:
    items: set[str] = set()
    for loop in loops:
        for item in loop.findall(f"{{{BPMN}}}inputDataItem") + loop.findall(f"{{{BPMN}}}outputDataItem"):
            items.add(item.get("id") or "")
    return items


def _loop_items(node: etree._Element, inside: bool = True) -> set[str]:
    """Return the item names multi-instance loops give what *node* reads.

    Each instance of a loop gets its input item from the loop and hands its output item back to it;
    neither is read from nor left in the process's data. The loops of the sub-processes around *node*
    count; so, for what runs *inside* the node (its scripts, form, timers, not the flows leaving it),
    do its own loop and (a sub-process's reads include its steps') the loops inside it.
    """
    loop_tag = f"{{{BPMN}}}multiInstanceLoopCharacteristics"
    loops = [*node.iter(loop_tag)] if inside else []
    for around in node.iterancestors(f"{{{BPMN}}}subProcess"):
        loops += around.findall(loop_tag)
    return _items(loops)


def _node_names(graph: Graph, node_id: str, model: LoadedModel, needed: set[str], produced: set[str]) -> None:
    """Add what the node *node_id* reads to *needed* and what it puts into the process's data to *produced*."""
    node = graph.nodes[node_id]
    for flow in graph.outgoing(node_id):
        needed.update(names_in(flow.condition or "") - _loop_items(node, inside=False))
    reads: set[str] = set()
    writes: set[str] = set()
    _script_names(node, reads, writes)
    for timer in node.iter(*TIMER_TAGS):
        reads.update(names_in(timer.text or ""))
    for variable in node.iter(f"{{{SPIFF}}}messageVariable"):  # a caught message's payload
        writes.add((variable.text or "").strip())
    for operator in node.iter(f"{{{SPIFF}}}serviceTaskOperator"):
        writes.add(operator.get("resultVariable") or "")
        for parameter in operator.iter(f"{{{SPIFF}}}parameter"):
            reads.update(names_in(parameter.get("value") or ""))
    for output in node.findall(f"{{{BPMN}}}multiInstanceLoopCharacteristics/{{{BPMN}}}loopDataOutputRef"):
        produced.add((output.text or "").strip())
    info = model.user_tasks.get(node_id)
    if info is not None:
        schema = model.forms.get(info.form, {})
        writes.update(schema.get("properties", {}))
        for _pointer, expression in expressions_of(schema):
            reads.update(names_in(expression))
    items = _loop_items(node)
    needed.update(reads - items)
    produced.update(writes - items)


def _after(graph: Graph, node_id: str) -> list[str]:
    """Return where the flow goes once the subprocess *node_id* ends (or one of its boundary events fires)."""
    return [flow.target for flow in graph.outgoing(node_id)] + graph.attached.get(node_id, [])


def _roots(workflow: BpmnWorkflow, graph: Graph) -> list[str]:
    """Return the elements the rest of the workflow starts from, at every running level.

    A subprocess the workflow is inside continues from its own current tasks, not from its start,
    and after it ends from what follows it; a later pass through it (a loop) starts it again.
    """
    roots: list[str] = []
    for flow in _levels(workflow):
        for task in _current(flow):
            sub = workflow.subprocesses.get(task.id)
            inside = sub is not None and not sub.completed
            roots += _after(graph, task.task_spec.bpmn_id) if inside else [task.task_spec.bpmn_id]
    return roots


def _unprovided(workflow: BpmnWorkflow, version: Version) -> set[str]:
    """Return the names the rest of *version* reads, from where *workflow* stands, that nothing in the diagram provides.

    What is provided: the data of every current task (a live subprocess's tasks included, whose data
    the process gets back when the subprocess ends) and what the steps still to come fill in.
    """
    graph = build_graph(executable_processes(version.root)[0])
    produced: set[str] = set()
    for flow in _levels(workflow):
        for task in _current(flow):
            produced.update(task.data)
    needed: set[str] = set()
    for node_id in reachable_from(graph, _roots(workflow, graph)):
        _node_names(graph, node_id, version.model, needed, produced)
    return needed - produced


def missing_values(workflow: BpmnWorkflow, old: Version, new: Version) -> list[str]:
    """Return the names the rest of the new version reads that nothing provides for this workflow.

    A name the old version also reads on its own rest, from the same point, with nothing in it providing
    the name, comes from outside the diagram (the start data, the system's hooks, e.g. the figures put into
    a reconciliation when the bank reports): it is there for the new version as it was for the old one.
    """
    return sorted(_unprovided(workflow, new) - _unprovided(workflow, old))


def _held(workflow: BpmnWorkflow, task: Task) -> bool:
    """Whether *task* holds its place while the workflow moves: a waiting event or join, or a started subprocess."""
    if task.state == TaskState.STARTED and not (isinstance(task.task_spec, SubWorkflowTask)
                                                and task.id in workflow.subprocesses):
        return False
    return all(child.has_state(PREDICTED) for child in task.children)


def _repredict(workflow: BpmnWorkflow) -> None:
    """Predict again, from the new version, what follows each waiting task and each subprocess the workflow is in.

    Only ready tasks are reset (see RESET); below the others the old version's predictions would stay,
    and a step added after a timer or after the subprocess be skipped.
    """
    for flow in _levels(workflow):
        for task in flow.get_tasks(state=TaskState.WAITING | TaskState.STARTED, skip_subprocesses=True):
            if _held(workflow, task):
                task._drop_children(force=True)
                task.task_spec._predict(task, mask=task.state | PREDICTED)


def _unmatched(workflow: BpmnWorkflow) -> Task | None:
    """Return a task whose spec is not part of its level's (new) spec: stored, it could not be restored."""
    for flow in [workflow, *workflow.subprocesses.values()]:
        for task in flow.tasks.values():
            if flow.spec.task_specs.get(task.task_spec.name) is not task.task_spec:
                return task
    return None


def _own_state(flows: list[BpmnBaseWorkflow]) -> tuple[dict[int, Task | None], dict[Any, dict[str, Any]]]:
    """Return each level's last task and each ready task's data, which migrate_workflow loses.

    It forgets every level's last task (it looks a Task up among task ids), and with it the workflow's
    current data; and it gives each task it resets its parent's data, dropping what the task had of its
    own. `_put_back` restores both where the task is still there: moving changes no data.
    """
    last = {id(flow): flow.last_task for flow in flows}
    data = {t.id: t.data for flow in flows for t in flow.get_tasks(state=RESET, skip_subprocesses=True)}
    return last, data


def _put_back(flows: list[BpmnBaseWorkflow], last: dict[int, Task | None], data: dict[Any, dict[str, Any]]) -> None:
    """Give each level its last task and each ready task its own data back (see `_own_state`)."""
    for flow in flows:
        task = last[id(flow)]
        if task is not None and task.id in flow.tasks:
            flow.last_task = task
        for task in flow.get_tasks(state=RESET, skip_subprocesses=True):
            task.data = data.get(task.id, task.data)


def _move(workflow: BpmnWorkflow, new: LoadedModel) -> None:
    """Move every level (the process, each sub-process it entered) onto the new version's specs and run on."""
    flows = [workflow, *workflow.subprocesses.values()]
    last, data = _own_state(flows)
    top, subs = diff_workflow(REGISTRY, workflow, new.spec, new.subprocess_specs)
    migrate_workflow(top, workflow, new.spec, reset_mask=RESET)
    for sub_id, sub in workflow.subprocesses.items():
        migrate_workflow(subs[sub_id], sub, new.subprocess_specs[sub.spec.name], reset_mask=RESET)
    _put_back(flows, last, data)
    workflow.subprocess_specs = new.subprocess_specs
    _repredict(workflow)
    workflow.do_engine_steps()


def _timer_refusal(workflow: BpmnWorkflow, engine: SafeScriptEngine) -> Migration | None:
    """Refuse while a timer is due but not yet fired: moving would fire it unseen, its notice never sent."""
    due = next_timer(workflow)
    if due is not None and due <= engine.now():
        return _refused("timer-due", due=due.isoformat(sep=" ", timespec="minutes"))
    return None


def plan_migration(old: Version, state: bytes, new: Version, engine: SafeScriptEngine) -> Migration:
    """Decide whether the workflow stored as *state* can move from *old* to *new*; move it in memory if so."""
    workflow = restore(old.model, state, engine)
    before = {t.id: t for t in ready_tasks(workflow)}
    refusal = _timer_refusal(workflow, engine) or _structure_refusal(workflow, new.model)
    if refusal is None:
        missing = missing_values(workflow, old, new)
        refusal = _refused("value-missing", names="、".join(missing)) if missing else None
    if refusal is not None:
        return refusal
    try:
        _move(workflow, new.model)
        stray = _unmatched(workflow)
        if stray is not None:
            return _refused("state", detail=f"步骤“{_title(stray)}”的记录在新版本中没有对应的元素")
        moved = restore(new.model, dump(workflow), engine)
    except (SpiffWorkflowException, EngineError, KeyError, ValueError, TypeError) as exc:
        return _refused("state", detail=str(exc))
    return Migration(True, workflow=moved, before=before)
