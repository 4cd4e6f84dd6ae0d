"""Where a running workflow stands, per diagram element: completed, ready, waiting; and the flows it took."""
from __future__ import annotations

from collections.abc import Iterator, Mapping

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

RANK = {"completed": 1, "waiting": 2, "ready": 3, "overdue": 4}
FlowIndex = Mapping[tuple[str, str], list[str]]


def _tasks(workflow: BpmnWorkflow) -> Iterator[Task]:
    yield from workflow.tasks.values()
    for subprocess in workflow.subprocesses.values():
        yield from subprocess.tasks.values()


def _state(task: Task) -> str | None:
    if task.state == TaskState.COMPLETED:
        return "completed"
    if task.state in (TaskState.READY, TaskState.STARTED):
        return "ready"
    if task.state == TaskState.WAITING and getattr(task.task_spec, "event_definition", None) is not None:
        return "waiting"
    return None


def merge_state(states: dict[str, str], element: str, state: str) -> None:
    """Record *state* for *element* unless a more pressing state is already there."""
    if RANK[state] > RANK.get(states.get(element, ""), 0):
        states[element] = state


def element_states(workflow: BpmnWorkflow) -> dict[str, str]:
    """Return the state of every diagram element the workflow has reached."""
    states: dict[str, str] = {}
    for task in _tasks(workflow):
        element, state = task.task_spec.bpmn_id, _state(task)
        if element and state:
            merge_state(states, element, state)
    return states


def _arrived(task: Task) -> bool:
    if _state(task) is not None:
        return True
    is_join = type(task.task_spec).__name__.endswith("Gateway")
    return task.state == TaskState.CANCELLED and is_join and task.parent is not None \
        and task.parent.state == TaskState.COMPLETED


def _previous_element(task: Task) -> str | None:
    node = task.parent
    while node is not None:
        if node.task_spec.bpmn_id:
            return node.task_spec.bpmn_id if node.state == TaskState.COMPLETED else None
        node = node.parent
    return None


def taken_flows(workflow: BpmnWorkflow, flows: FlowIndex) -> list[str]:
    """Return the ids of the sequence flows the workflow went along, given flows by (source, target)."""
    taken: list[str] = []
    for task in _tasks(workflow):
        element = task.task_spec.bpmn_id
        if not element or not _arrived(task):
            continue
        source = _previous_element(task)
        for flow_id in flows.get((source, element), []) if source else []:
            if flow_id not in taken:
                taken.append(flow_id)
    return taken


def start_events(workflow: BpmnWorkflow) -> list[str]:
    """Return the start events the workflow has passed."""
    return [t.task_spec.bpmn_id for t in _tasks(workflow)
            if t.state == TaskState.COMPLETED and type(t.task_spec).__name__ == "StartEvent"
            and t.task_spec.bpmn_id]
