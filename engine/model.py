"""Load a BPMN diagram and its forms into a checked, runnable model version."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR
from SpiffWorkflow.spiff.specs.defaults import UserTask

from engine.checks import BPMN, check_tree
from engine.errors import ModelError
from engine.specs import ProcessParser, use_host_clock
from engine.serialization import dump_spec, load_spec
from engine.xmlsafe import parse_xml

FORM_PROPERTY = "formJsonSchemaFilename"


@dataclass(frozen=True)
class UserTaskInfo:
    """What the host needs to know about one user task of a diagram."""

    name: str
    title: str
    lane: str
    form: str
    stage: str
    properties: Mapping[str, str]


@dataclass
class LoadedModel:
    """One model version: its specs, forms and user tasks, ready to run."""

    process_id: str
    name: str
    content_hash: str
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]
    forms: dict[str, dict[str, Any]]
    user_tasks: dict[str, UserTaskInfo] = field(default_factory=dict)
    start_lane: str | None = None

    def form_for(self, task_name: str) -> dict[str, Any]:
        """Return the JSON Schema of the user task *task_name*."""
        return self.forms[self.user_tasks[task_name].form]


def content_hash(bpmn: bytes, forms: Mapping[str, bytes]) -> str:
    """Return the sha256 of a diagram together with the forms it uses."""
    digest = hashlib.sha256(bpmn)
    for name in sorted(forms):
        digest.update(b"\0" + name.encode() + b"\0" + forms[name])
    return digest.hexdigest()


def _executable_process(root: etree._Element) -> etree._Element:
    processes = root.findall(f"{{{BPMN}}}process")
    executable = [p for p in processes if p.get("isExecutable", "false") == "true"]
    if len(executable) != 1:
        raise ModelError(f"the diagram must have exactly one executable process, found {len(executable)}")
    return executable[0]


def _parse(root: etree._Element, filename: str) -> ProcessParser:
    parser = ProcessParser(validator=VALIDATOR)
    try:
        parser.add_bpmn_xml(root, filename=filename)
    except ValidationException as exc:
        raise ModelError(str(exc), element=exc.id or None, line=exc.line_number or None) from exc
    except (SpiffWorkflowException, etree.LxmlError) as exc:
        raise ModelError(f"not valid BPMN: {exc}") from exc
    return parser


def _load_form(name: str, forms: Mapping[str, bytes], element: str) -> dict[str, Any]:
    if name not in forms:
        raise ModelError(f"form {name!r} is missing", element=element)
    try:
        schema = json.loads(forms[name])
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelError(f"form {name!r} is not valid JSON: {exc}", element=element) from exc
    if not isinstance(schema, dict) or schema.get("type") != "object":
        raise ModelError(f"form {name!r} must be a JSON Schema of type object", element=element)
    return schema


def _user_task_info(spec: Any, forms: Mapping[str, bytes], loaded: dict[str, dict[str, Any]]) -> UserTaskInfo:
    properties = dict(spec.extensions.get("properties", {}))
    form = properties.get(FORM_PROPERTY)
    if not spec.lane:
        raise ModelError("every user task must be in a lane (the lane names the role)", element=spec.bpmn_id)
    if not form:
        raise ModelError(f"the user task has no {FORM_PROPERTY} property", element=spec.bpmn_id)
    if form not in loaded:
        loaded[form] = _load_form(form, forms, spec.bpmn_id)
    return UserTaskInfo(
        name=spec.bpmn_id,
        title=spec.bpmn_name or spec.bpmn_id,
        lane=spec.lane,
        form=form,
        stage=properties.get("stage", spec.bpmn_id),
        properties=properties,
    )


def _collect_user_tasks(
    specs: list[BpmnProcessSpec], forms: Mapping[str, bytes]
) -> tuple[dict[str, UserTaskInfo], dict[str, dict[str, Any]]]:
    tasks: dict[str, UserTaskInfo] = {}
    loaded: dict[str, dict[str, Any]] = {}
    for process_spec in specs:
        for task_spec in process_spec.task_specs.values():
            if isinstance(task_spec, UserTask):
                tasks[task_spec.bpmn_id] = _user_task_info(task_spec, forms, loaded)
    return tasks, loaded


def _start_lane(spec: BpmnProcessSpec) -> str | None:
    lanes = {t.lane for t in spec.task_specs.values() if type(t).__name__ == "StartEvent"}
    return lanes.pop() if len(lanes) == 1 else None


def load_model(
    bpmn: bytes, forms: Mapping[str, bytes], operations: Collection[str], filename: str = "diagram.bpmn"
) -> tuple[LoadedModel, bytes]:
    """Check, parse and load a diagram; return the model and its serialized spec."""
    root = parse_xml(bpmn)
    check_tree(root, operations)
    process_id = _executable_process(root).get("id") or ""
    parser = _parse(root, filename)
    try:
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except (ValidationException, SpiffWorkflowException) as exc:
        raise ModelError(f"not valid BPMN: {exc}") from exc
    use_host_clock([spec, *subprocess_specs.values()])
    user_tasks, loaded_forms = _collect_user_tasks([spec, *subprocess_specs.values()], forms)
    used = {name: forms[name] for name in loaded_forms}
    model = LoadedModel(
        process_id=process_id,
        name=spec.description or process_id,
        content_hash=content_hash(bpmn, used),
        spec=spec,
        subprocess_specs=subprocess_specs,
        forms=loaded_forms,
        user_tasks=user_tasks,
        start_lane=_start_lane(spec),
    )
    return model, dump_spec(spec, subprocess_specs)


def restore_model(
    process_id: str, name: str, digest: str, spec_json: bytes | str, forms: dict[str, dict[str, Any]]
) -> LoadedModel:
    """Rebuild a stored model version from its serialized spec and forms, without parsing XML."""
    spec, subprocess_specs = load_spec(spec_json)
    user_tasks, _ = _collect_user_tasks(
        [spec, *subprocess_specs.values()],
        {name: json.dumps(schema).encode() for name, schema in forms.items()},
    )
    return LoadedModel(process_id, name, digest, spec, subprocess_specs, forms, user_tasks, _start_lane(spec))
