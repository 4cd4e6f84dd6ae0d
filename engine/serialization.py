"""Store a workflow's own state only: the spec is kept once per model version."""
from __future__ import annotations

from typing import Any
from uuid import UUID

import orjson
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.event_definition import TimerConditionalEventDefinitionConverter
from SpiffWorkflow.bpmn.serializer.default.task_spec import ParallelGatewayConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.errors import EngineError
from engine.specs import HostClockTimeDate, LoopSafeParallelGateway

STATE_VERSION = "1.5"


class SpecFreeWorkflowConverter(BpmnWorkflowConverter):
    """Converts a workflow without its specs; restoring takes them as arguments."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(  # type: ignore[override]
        self,
        dct: dict[str, Any],
        spec: BpmnProcessSpec | None = None,
        subprocess_specs: dict[str, BpmnProcessSpec] | None = None,
    ) -> BpmnWorkflow:
        if spec is None:
            raise EngineError("restoring a workflow needs its process spec")
        dct = {**dct, "spec": None, "subprocess_specs": {}}
        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dict(dct["subprocesses"]), workflow)
        workflow.bpmn_events = self.registry.restore(dct.get("bpmn_events", []))
        return workflow


def _build_registry() -> Any:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = SpecFreeWorkflowConverter
    config[LoopSafeParallelGateway] = ParallelGatewayConverter
    config[HostClockTimeDate] = TimerConditionalEventDefinitionConverter
    return BpmnWorkflowSerializer.configure(config)


REGISTRY = _build_registry()


def dump_spec(spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]) -> bytes:
    """Serialize a process spec and its subprocess specs once, for storage."""
    return orjson.dumps({
        "spec": REGISTRY.convert(spec),
        "subprocess_specs": {name: REGISTRY.convert(s) for name, s in subprocess_specs.items()},
    })


def load_spec(data: bytes | str) -> tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]:
    """Restore a process spec and its subprocess specs from storage."""
    dct = orjson.loads(data)
    subs = {name: REGISTRY.restore(s) for name, s in dct["subprocess_specs"].items()}
    return REGISTRY.restore(dct["spec"]), subs


def dump_workflow(workflow: BpmnWorkflow) -> bytes:
    """Serialize a workflow's own state (tasks, data, events), without its spec."""
    dct = REGISTRY.convert(workflow)
    dct["serializer_version"] = STATE_VERSION
    return orjson.dumps(dct)


def load_workflow(
    data: bytes, spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]
) -> BpmnWorkflow:
    """Restore a workflow from its stored state and its model version's cached specs."""
    dct = orjson.loads(data)
    version = dct.pop("serializer_version", None)
    if version != STATE_VERSION:
        raise EngineError(f"stored state has serializer version {version!r}, expected {STATE_VERSION}")
    return REGISTRY.restore(dct, spec=spec, subprocess_specs=subprocess_specs)
