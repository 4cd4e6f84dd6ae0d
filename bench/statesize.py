"""Stored state per instance: our spec-free `runtime.dump` against SpiffWorkflow's default JSON."""
from __future__ import annotations

import json
from typing import Any

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.event_definition import TimerConditionalEventDefinitionConverter
from SpiffWorkflow.bpmn.serializer.default.task_spec import ParallelGatewayConverter
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine import runtime
from engine.model import LoadedModel, load_model
from engine.specs import HostClockTimeDate, LoopSafeParallelGateway
from services.context import OPERATION_NAMES
from services.process_models import read_forms

from bpmn import DIAGRAMS_DIR
from bench.engine_paths import script_engine
from bench.fund_data import first_steps

FUND_BPMN = DIAGRAMS_DIR / "fund_project.bpmn"
STEPS_TAKEN = 3  # declare, review, assign_bank (then the project waits for its bank's plan)


def default_serializer() -> BpmnWorkflowSerializer:
    """Return SpiffWorkflow's stock serializer, taught only the project's two custom spec classes."""
    config = dict(SPIFF_CONFIG)
    config[LoopSafeParallelGateway] = ParallelGatewayConverter
    config[HostClockTimeDate] = TimerConditionalEventDefinitionConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


def fund_model() -> LoadedModel:
    """Load the shipped fund project diagram."""
    model, _spec = load_model(FUND_BPMN.read_bytes(), read_forms(FUND_BPMN), OPERATION_NAMES,
                              filename=FUND_BPMN.name)
    return model


def _sizes(serializer: BpmnWorkflowSerializer, workflow: Any) -> dict[str, int]:
    default = serializer.serialize_json(workflow).encode()
    as_dict = serializer.to_dict(workflow)
    spec = json.dumps({"spec": as_dict["spec"], "subprocess_specs": as_dict["subprocess_specs"]}).encode()
    ours = runtime.dump(workflow)
    return {"ours_bytes": len(ours), "default_bytes": len(default), "default_spec_bytes": len(spec)}


def measure_state() -> dict[str, Any]:
    """Drive a fund project a few steps and compare the stored state's size after each."""
    model, serializer = fund_model(), default_serializer()
    workflow = runtime.start(model, script_engine())
    series = [{"after": "start", **_sizes(serializer, workflow)}]
    for name, data in first_steps("ab" * 32)[:STEPS_TAKEN]:
        (task,) = [t for t in runtime.ready_tasks(workflow) if t.name == name]
        runtime.complete(workflow, task.id, data)
        series.append({"after": name, **_sizes(serializer, workflow)})
    last = series[-1]
    restored = runtime.restore(model, runtime.dump(workflow), script_engine())
    assert runtime.dump(restored) == runtime.dump(workflow), "our state must round-trip"
    return {"steps": STEPS_TAKEN, **{k: v for k, v in last.items() if k != "after"},
            "ratio": last["ours_bytes"] / last["default_bytes"], "series": series}
