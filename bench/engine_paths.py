"""Engine-only paths, no database: (a) in memory and (b) the floor restore → complete → dump."""
from __future__ import annotations

from time import perf_counter_ns
from typing import Any

from engine import runtime
from engine.model import LoadedModel, load_model
from services.clock import Clock
from services.calendar import Calendar
from services.context import OPERATION_NAMES, operations_for
from services.process_models import read_forms

from bench.scratch import LINEAR_BPMN

STEPS = 5


def step_data(step: int) -> dict[str, Any]:
    """Return the form data submitted for step *step* (1-based) of the linear diagram."""
    return {f"note_{step}": f"benchmark note for step {step}"}


def linear_model() -> LoadedModel:
    """Load the linear diagram the way a deploy does, keeping the parsed spec in memory."""
    model, _spec = load_model(LINEAR_BPMN.read_bytes(), read_forms(LINEAR_BPMN), OPERATION_NAMES,
                              filename=LINEAR_BPMN.name)
    return model


def script_engine() -> runtime.SafeScriptEngine:
    """Return the project's script engine on the real clock."""
    clock = Clock()
    return runtime.script_engine(clock.now, clock.today, operations_for(clock.today, Calendar))


class InMemory:
    """(a) Start a workflow, then complete its ready tasks one by one, never serializing."""

    name = "engine_in_memory"

    def __init__(self, model: LoadedModel) -> None:
        self.model, self.engine = model, script_engine()

    def run_once(self, counter: Any = None, keep: bool = True) -> list[int]:
        """Run one instance to its end; return the time of each task completion."""
        workflow = runtime.start(self.model, self.engine)
        samples = []
        for step in range(1, STEPS + 1):
            task_id = runtime.ready_tasks(workflow)[0].id
            data = step_data(step)
            started = perf_counter_ns()
            runtime.complete(workflow, task_id, data)
            samples.append(perf_counter_ns() - started)
        assert runtime.end_status(workflow) == "completed"
        return samples


class Floor:
    """(b) The floor: restore with the cached spec, complete, run engine steps, serialize."""

    name = "floor_b"

    def __init__(self, model: LoadedModel) -> None:
        self.model, self.engine = model, script_engine()

    def run_once(self, counter: Any = None, keep: bool = True) -> list[int]:
        """Run one instance to its end through stored state; return the time of each step."""
        workflow = runtime.start(self.model, self.engine)
        state, task_id = runtime.dump(workflow), runtime.ready_tasks(workflow)[0].id
        samples = []
        for step in range(1, STEPS + 1):
            data = step_data(step)
            started = perf_counter_ns()
            workflow = runtime.restore(self.model, state, self.engine)
            runtime.complete(workflow, task_id, data)
            state = runtime.dump(workflow)
            samples.append(perf_counter_ns() - started)
            if step < STEPS:
                task_id = runtime.ready_tasks(workflow)[0].id
        return samples
