"""Spec classes adjusted for the host: loop-safe parallel joins and timers on the host's clock."""
from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.parser.task_parsers import GatewayParser
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.specs.defaults import ParallelGateway
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimeDateEventDefinition, TimerEventDefinition
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState


def _nearest_input(task: Task, inputs: Collection[object]) -> object | None:
    node: Task | None = task
    while node is not None:
        if node.task_spec in inputs:
            return node.task_spec
        node = node.parent
    return None


def _ancestors(task: Task) -> list[Task]:
    chain, node = [], task.parent
    while node is not None:
        chain.append(node)
        node = node.parent
    return chain


def _merge_branches(base: dict[str, Any], branches: list[dict[str, Any]]) -> dict[str, Any]:
    merged = dict(base)
    for data in branches:
        merged.update({k: v for k, v in data.items() if k not in base or base[k] != v})
    return merged


class LoopSafeParallelGateway(ParallelGateway):
    """A parallel join that is correct inside loops and merges what each branch changed.

    SpiffWorkflow 3.2 counts join tokens cancelled on an earlier pass of a loop, so the second
    time through (acceptance failed, built again, accepted again) the join fires as soon as one
    branch arrives; and it lets the last branch's stale copy of the other branches' variables
    win. Here a pass's branches are merged as: the data at the fork, then each branch's changes.
    """

    def _tokens_of_this_pass(self, my_task: Task) -> list[Task]:
        ancestors = _ancestors(my_task)
        last_fired = next((a for a in ancestors if a.task_spec == self), None)
        return [
            t for t in my_task.workflow.get_tasks(spec_name=self.name)
            if t is not my_task and t not in ancestors and t.parent is not None
            and t.parent.state == TaskState.COMPLETED
            and (last_fired is None or t.is_descendant_of(last_fired))
        ]

    def _run_hook(self, my_task: Task) -> bool:
        tokens = [*self._tokens_of_this_pass(my_task), my_task]
        mine = set(map(id, _ancestors(my_task)))
        forks = [next((a for a in _ancestors(t) if id(a) in mine), None) for t in tokens[:-1]]
        super()._run_hook(my_task)
        known = [f for f in forks if f is not None]
        if known:
            fork = min(known, key=lambda f: len(_ancestors(f)))
            arrivals = sorted(tokens, key=lambda t: t.parent.last_state_change)
            my_task.data = _merge_branches(fork.data, [t.parent.data for t in arrivals])
        return True

    def _check_threshold_unstructured(self, my_task: Task) -> bool:
        arrived: set[object] = set()
        for other in my_task.workflow.get_tasks(spec_name=self.name):
            if other.state == TaskState.CANCELLED or my_task.is_descendant_of(other):
                continue
            if other.is_descendant_of(my_task):
                arrived.add(_nearest_input(other, self.inputs))
            elif other.parent.state == TaskState.COMPLETED:
                arrived.add(other.parent.task_spec)
        return set(self.inputs) <= arrived


class ProcessParser(SpiffBpmnParser):
    """The Spiff parser with loop-safe parallel joins and lanes inside embedded subprocesses."""

    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("parallelGateway"): (GatewayParser, LoopSafeParallelGateway),
    }

    def create_parser(self, node: Any, filename: str | None = None, lane: str | None = None) -> Any:
        """Parse a (sub)process whose nodes keep the lanes that name them.

        SpiffWorkflow 3.2 gives every node of an embedded subprocess the subprocess's own lane;
        a payment clock needs the bank's task and the bureau's follow-up in one subprocess.
        Every node of such a subprocess must therefore be named by a lane itself.
        """
        return super().create_parser(node, filename=filename, lane=None)


class HostClockTimeDate(TimeDateEventDefinition):
    """A timeDate timer that compares its due time with the host's clock, not the machine's."""

    def has_fired(self, my_task: Task) -> bool:
        if my_task._get_internal_data("event_value") is None:
            value = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            my_task._set_internal_data(event_value=value)
        due = TimerEventDefinition.parse_time_or_duration(my_task._get_internal_data("event_value"))
        if isinstance(due, datetime) and due <= host_now(my_task):
            my_task._set_internal_data(event_fired=True)
        return bool(my_task._get_internal_data("event_fired", False))


def host_now(task: Task) -> datetime:
    """Return the current instant by the clock of the task's script engine."""
    clock = getattr(task.workflow.script_engine, "now", None)
    if clock is None:
        raise RuntimeError("the script engine has no clock")
    return clock()


def use_host_clock(specs: Iterable[object]) -> None:
    """Make every timeDate timer of the given process specs follow the host's clock."""
    for process_spec in specs:
        for task_spec in process_spec.task_specs.values():  # type: ignore[attr-defined]
            definition = getattr(task_spec, "event_definition", None)
            if type(definition) is TimeDateEventDefinition:
                replacement = HostClockTimeDate.__new__(HostClockTimeDate)
                replacement.__dict__.update(definition.__dict__)
                task_spec.event_definition = replacement
