"""Run workflows: start, restore, complete user tasks, fire timers, read their state."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any
from uuid import UUID

import orjson
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimeDateEventDefinition, TimerEventDefinition
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException, TaskNotFoundException, WorkflowException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.errors import EngineError, ExpressionError, TaskStateError
from engine.expressions import Evaluator, check_expression, to_data
from engine.model import LoadedModel
from engine.serialization import dump_workflow, load_workflow

Operation = Callable[..., Any]


class SafeEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluates every expression and script of a diagram with the restricted evaluator."""

    def __init__(self, evaluator: Evaluator, operations: Mapping[str, Operation]) -> None:
        super().__init__({})
        self.evaluator = evaluator
        self.operations = operations

    def evaluate(self, expression: str, context: dict[str, Any], external_context: Any = None) -> Any:
        return self.evaluator.evaluate(expression, {**(external_context or {}), **context})

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        context.update(self.evaluator.run_script(script, {**(external_context or {}), **context}))
        return True

    def call_service(self, context: dict[str, Any], operation_name: str = "", operation_params: Any = None) -> str:
        operation = self.operations.get(operation_name)
        if operation is None:
            raise ExpressionError(f"unknown service operation {operation_name!r}")
        params = {name: param["value"] for name, param in (operation_params or {}).items()}
        return orjson.dumps(to_data(operation(**params))).decode()


class SafeScriptEngine(PythonScriptEngine):
    """A script engine that only ever uses the safe environment, and tells the host's time."""

    def __init__(self, environment: SafeEnvironment, now: Callable[[], datetime]) -> None:
        super().__init__(environment=environment)
        self.now = now

    def validate(self, expression: str) -> None:
        check_expression(expression)

    def call_service(self, task: Task, **kwargs: Any) -> str:
        return self.environment.call_service(task.data, **kwargs)


def script_engine(now: Callable[[], datetime], today: Callable[[], date],
                  operations: Mapping[str, Operation]) -> SafeScriptEngine:
    """Return a script engine whose clock and service operations come from the host."""
    return SafeScriptEngine(SafeEnvironment(Evaluator(today), operations), now)


@dataclass(frozen=True)
class ReadyTask:
    """A user task waiting for a person, with its data, due time and whether that time is provisional."""

    id: str
    name: str
    data: dict[str, Any]
    due: datetime | None
    due_provisional: bool = False


ENGINE_FAILURES = (SpiffWorkflowException, WorkflowException, ExpressionError, RecursionError)


def _reason(exc: BaseException) -> str:
    """Return why the engine stopped: the expression's own error and where, not SpiffWorkflow's echo."""
    spec = getattr(exc, "task_spec", None)
    where = getattr(spec, "bpmn_id", None) or getattr(spec, "name", None)
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, ExpressionError):
        cause = cause.__cause__ or cause.__context__
    text = str(cause if cause is not None else exc)
    text = text if len(text) <= 300 else text[:297] + "..."
    return f"{where}: {text}" if where else text


def _run_steps(workflow: BpmnWorkflow) -> None:
    try:
        workflow.do_engine_steps()
    except ENGINE_FAILURES as exc:
        raise EngineError(f"the process failed at {_reason(exc)}") from exc


def start(model: LoadedModel, engine: SafeScriptEngine, data: Mapping[str, Any] | None = None) -> BpmnWorkflow:
    """Create a new workflow of *model* and run it to its first waiting point."""
    workflow = BpmnWorkflow(model.spec, model.subprocess_specs, script_engine=engine)
    if data:
        workflow.task_tree.data = dict(data)
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data = {**task.data, **data}
    _run_steps(workflow)
    return workflow


def restore(model: LoadedModel, state: bytes, engine: SafeScriptEngine) -> BpmnWorkflow:
    """Rebuild a workflow from stored state and re-attach the host's script engine."""
    workflow = load_workflow(state, model.spec, model.subprocess_specs)
    workflow.script_engine = engine
    return workflow


def dump(workflow: BpmnWorkflow) -> bytes:
    """Serialize the workflow's state for storage."""
    return dump_workflow(workflow)


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        due = datetime.fromisoformat(value)
    except ValueError:
        return None
    return due if due.tzinfo else due.replace(tzinfo=timezone.utc)


def _timer_value(task: Task) -> datetime | None:
    return _instant(task._get_internal_data("event_value"))


def _is_waiting_timer(task: Task) -> bool:
    definition = getattr(task.task_spec, "event_definition", None)
    return task.state == TaskState.WAITING and isinstance(definition, TimerEventDefinition)


def _is_timer(task: Task) -> bool:
    return isinstance(getattr(task.task_spec, "event_definition", None), TimerEventDefinition)


def _deadline(timer: Task) -> datetime | None:
    """Return a boundary timer's due time, working it out now if the engine has not yet done so."""
    definition = timer.task_spec.event_definition
    if timer._get_internal_data("event_value") is None and timer.state == TaskState.WAITING \
            and isinstance(definition, TimeDateEventDefinition):
        try:
            timer._set_internal_data(event_value=timer.workflow.script_engine.evaluate(timer, definition.expression))
        except ENGINE_FAILURES:
            return None
    return _timer_value(timer)


def _timers_due(task: Task) -> datetime | None:
    """Return the earliest time of a task's boundary timers, whether they still wait or have fired."""
    parent = task.parent
    if parent is None:
        return None
    timers = [s for s in parent.children if s is not task and _is_timer(s) and s.state != TaskState.CANCELLED]
    known = [d for d in map(_deadline, timers) if d is not None]
    return min(known) if known else None


DUE_DATE, DUE_PROVISIONAL = "dueDate", "dueProvisional"


def _due(task: Task) -> tuple[datetime | None, bool]:
    """Return when a ready task is due and whether that is provisional.

    A user task may declare it in the diagram: property `dueDate`, an expression giving an ISO
    instant, and `dueProvisional`, an expression that is true while the date is provisional.
    Otherwise (or if the declared date cannot be worked out) its earliest boundary timer counts.
    """
    properties = task.task_spec.extensions.get("properties", {}) if hasattr(task.task_spec, "extensions") else {}
    expression = properties.get(DUE_DATE)
    if expression:
        engine = task.workflow.script_engine
        try:
            due = _instant(engine.evaluate(task, expression))
            provisional = bool(engine.evaluate(task, properties.get(DUE_PROVISIONAL) or "False"))
        except ENGINE_FAILURES:
            due = None
        if due is not None:
            return due, provisional
    return _timers_due(task), False


def _all_tasks(workflow: BpmnWorkflow) -> Iterator[Task]:
    """Yield every task of the workflow and its subprocesses (a dict scan, cheaper than a tree walk)."""
    yield from workflow.tasks.values()
    for subprocess in workflow.subprocesses.values():
        yield from subprocess.tasks.values()


def ready_tasks(workflow: BpmnWorkflow) -> list[ReadyTask]:
    """Return the user tasks that are ready, oldest first."""
    tasks = [t for t in _all_tasks(workflow) if t.state == TaskState.READY and t.task_spec.manual]
    return [ReadyTask(str(t.id), t.task_spec.bpmn_id, t.data, *_due(t)) for t in tasks]


@dataclass(frozen=True)
class DoneTask:
    """A user task that was completed, with the data it ended with."""

    id: str
    name: str
    data: dict[str, Any]


def _previous_run(task: Task) -> Task | None:
    node = task.parent
    while node is not None:
        if node.task_spec.bpmn_id == task.task_spec.bpmn_id and node.state == TaskState.COMPLETED:
            return node
        node = node.parent
    return None


def done_since_previous_run(workflow: BpmnWorkflow, task_id: str) -> list[DoneTask] | None:
    """Return the user tasks completed after the step of *task_id* last ran (None if this is its first run)."""
    task = _find(workflow, task_id)
    previous = _previous_run(task) if task is not None else None
    if previous is None:
        return None
    done, stack = [], list(previous.children)
    while stack:
        node = stack.pop()
        if node.state == TaskState.COMPLETED and node.task_spec.manual:
            done.append(DoneTask(str(node.id), node.task_spec.bpmn_id, node.data))
        stack.extend(node.children)
    return done


def _find(workflow: BpmnWorkflow, task_id: str) -> Task | None:
    try:
        return workflow.get_task_from_id(UUID(task_id))
    except (ValueError, TaskNotFoundException):
        return None


def complete(workflow: BpmnWorkflow, task_id: str, data: Mapping[str, Any]) -> None:
    """Complete the ready user task *task_id* with *data* and run the engine on."""
    task = _find(workflow, task_id)
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        raise TaskStateError(f"task {task_id} is not ready")
    task.data = {**task.data, **data}
    try:
        task.run()
    except ENGINE_FAILURES as exc:
        raise EngineError(f"the task failed at {_reason(exc)}") from exc
    _run_steps(workflow)


def _waiting_timers(workflow: BpmnWorkflow) -> dict[str, Task]:
    return {str(t.id): t for t in _all_tasks(workflow) if _is_waiting_timer(t)}


@dataclass(frozen=True)
class FiredTimer:
    """A timer event that fired: its task id, its id in the diagram, its properties, data and due time."""

    task_id: str
    name: str
    properties: Mapping[str, str]
    data: dict[str, Any]
    due: datetime | None = None


def fire_timers_detailed(workflow: BpmnWorkflow) -> list[FiredTimer]:
    """Fire every timer whose time has come and run the engine on; return what fired."""
    before = _waiting_timers(workflow)
    dues = {key: _timer_value(task) for key, task in before.items()}
    try:
        workflow.refresh_timers()
    except ENGINE_FAILURES as exc:
        raise EngineError(f"a timer failed at {_reason(exc)}") from exc
    _run_steps(workflow)
    return [FiredTimer(key, task.task_spec.bpmn_id, dict(task.task_spec.extensions.get("properties", {})),
                       dict(task.data), dues[key])
            for key, task in before.items() if task.state != TaskState.WAITING]


def fire_timers(workflow: BpmnWorkflow) -> list[str]:
    """Fire every timer whose time has come; return the ids of the timer events that fired."""
    return [fired.name for fired in fire_timers_detailed(workflow)]


def update_open_data(workflow: BpmnWorkflow, recompute: Callable[[dict[str, Any]], dict[str, Any] | None]) -> int:
    """Give every unfinished task the variables *recompute* returns for its data; re-arm changed timers.

    A waiting timer whose data changed evaluates its time expression again, so a deadline moved by
    new calendar data moves its timer too. Return how many tasks changed.
    """
    changed = 0
    for task in _all_tasks(workflow):
        if task.state & TaskState.FINISHED_MASK:
            continue
        updates = recompute(task.data)
        if not updates:
            continue
        task.data = {**task.data, **updates}
        changed += 1
        if _is_waiting_timer(task):
            expression = task.task_spec.event_definition.expression
            try:
                value = workflow.script_engine.evaluate(task, expression)
            except SpiffWorkflowException as exc:
                raise EngineError(f"a timer could not be re-armed: {exc}") from exc
            task._set_internal_data(event_value=value)
    return changed


def _waiting_message_tasks(workflow: BpmnWorkflow) -> list[Task]:
    return [t for t in _all_tasks(workflow) if t.state == TaskState.WAITING
            and isinstance(getattr(t.task_spec, "event_definition", None), MessageEventDefinition)]


def waiting_messages(workflow: BpmnWorkflow) -> list[str]:
    """Return the names of the messages the workflow waits for now (its waiting message catch events)."""
    return sorted({t.task_spec.event_definition.name for t in _waiting_message_tasks(workflow)})


def deliver_message(workflow: BpmnWorkflow, name: str, payload: Mapping[str, Any]) -> bool:
    """Deliver the message *name* with *payload* and run the engine on; False (nothing changed) if not waited for.

    The host correlates: it delivers to the one workflow the message is for, so no correlation keys are used.
    """
    waiting = [t for t in _waiting_message_tasks(workflow) if t.task_spec.event_definition.name == name]
    if not waiting:
        return False
    event = BpmnEvent(waiting[0].task_spec.event_definition, payload=to_data(dict(payload)))
    try:
        workflow.send_event(event)
    except ENGINE_FAILURES as exc:
        raise EngineError(f"the message {name!r} failed at {_reason(exc)}") from exc
    _run_steps(workflow)
    return True


def next_timer(workflow: BpmnWorkflow) -> datetime | None:
    """Return when the earliest waiting timer is due, or None."""
    dues = [_timer_value(t) for t in _waiting_timers(workflow).values()]
    known = [d for d in dues if d is not None]
    return min(known) if known else None


def end_status(workflow: BpmnWorkflow) -> str | None:
    """Return the finished workflow's status from its end events, or None while it runs."""
    if not workflow.completed:
        return None
    statuses = set()
    for task in workflow.get_tasks(state=TaskState.COMPLETED):
        if type(task.task_spec).__name__ == "EndEvent":
            props = task.task_spec.extensions.get("properties", {})
            statuses.add(props.get("status", "completed"))
    return "rejected" if "rejected" in statuses else "completed"


def current_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    """Return the data of the newest task, the workflow's current view of its variables."""
    if workflow.last_task is not None:
        return dict(workflow.last_task.data)
    return dict(workflow.data)
