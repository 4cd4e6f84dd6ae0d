"""Uploaded diagrams are refused, with the element and reason, when unsafe or not BPMN."""
from __future__ import annotations

import pytest

from engine.errors import ModelError
from engine.model import load_model

HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        b'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" '
        b'targetNamespace="http://example.org/bpmn">')
TAIL = b"</bpmn:definitions>"
FORM = {"f.json": b'{"type": "object", "properties": {"ok": {"type": "boolean"}}}'}


def process(body: str) -> bytes:
    return HEAD + f"""
<bpmn:process id="p" name="P" isExecutable="true">
  <bpmn:laneSet id="ls"><bpmn:lane id="lane_a" name="hrss">
    <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>ask</bpmn:flowNodeRef>
    <bpmn:flowNodeRef>work</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef>
  </bpmn:lane></bpmn:laneSet>
  <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ask" />
  <bpmn:userTask id="ask" name="Ask">
    <bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="formJsonSchemaFilename" value="f.json" />
    </spiffworkflow:properties></bpmn:extensionElements>
    <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
  </bpmn:userTask>
  <bpmn:sequenceFlow id="f2" sourceRef="ask" targetRef="work" />
  {body}
  <bpmn:sequenceFlow id="f3" sourceRef="work" targetRef="end" />
  <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
</bpmn:process>""".encode() + TAIL


def script_task(script: str) -> str:
    return (f'<bpmn:scriptTask id="work" name="Work"><bpmn:incoming>f2</bpmn:incoming>'
            f'<bpmn:outgoing>f3</bpmn:outgoing><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>')


def load(data: bytes, forms: dict[str, bytes] | None = None):  # type: ignore[no-untyped-def]
    return load_model(data, FORM if forms is None else forms, operations={"compute_payment_due_date"})


def test_a_safe_diagram_loads_with_its_lanes_and_forms() -> None:
    model, spec_json = load(process(script_task("x = 1")))
    assert model.process_id == "p"
    assert model.user_tasks["ask"].lane == "hrss"
    assert model.start_lane == "hrss"
    assert len(model.content_hash) == 64 and spec_json


@pytest.mark.parametrize("script", ["__import__('os').system('id')", "import os", "x = ().__class__"])
def test_an_unsafe_script_is_refused_naming_the_task(script: str) -> None:
    with pytest.raises(ModelError) as caught:
        load(process(script_task(script)))
    assert caught.value.element == "work"


def test_an_unsafe_condition_is_refused_naming_the_flow() -> None:
    body = script_task("x = 1").replace(
        '<bpmn:outgoing>f3</bpmn:outgoing>', '<bpmn:outgoing>f3</bpmn:outgoing>')
    data = process(body).replace(
        b'<bpmn:sequenceFlow id="f3" sourceRef="work" targetRef="end" />',
        b'<bpmn:sequenceFlow id="f3" sourceRef="work" targetRef="end"><bpmn:conditionExpression>'
        b'open("/etc/passwd")</bpmn:conditionExpression></bpmn:sequenceFlow>')
    with pytest.raises(ModelError) as caught:
        load(data)
    assert caught.value.element == "f3"


def test_a_doctype_is_refused() -> None:
    data = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + process(
        script_task("x = 1"))[38:]
    with pytest.raises(ModelError, match="DOCTYPE"):
        load(data)


def test_unsupported_elements_are_refused() -> None:
    body = ('<bpmn:businessRuleTask id="work" name="Rule"><bpmn:incoming>f2</bpmn:incoming>'
            '<bpmn:outgoing>f3</bpmn:outgoing></bpmn:businessRuleTask>')
    with pytest.raises(ModelError) as caught:
        load(process(body))
    assert caught.value.element == "work" and "businessRuleTask" in caught.value.reason


def test_unknown_service_operations_are_refused() -> None:
    body = ('<bpmn:serviceTask id="work" name="Call"><bpmn:extensionElements>'
            '<spiffworkflow:serviceTaskOperator id="os_system" resultVariable="r" />'
            '</bpmn:extensionElements><bpmn:incoming>f2</bpmn:incoming>'
            '<bpmn:outgoing>f3</bpmn:outgoing></bpmn:serviceTask>')
    with pytest.raises(ModelError, match="os_system") as caught:
        load(process(body))
    assert caught.value.element == "work"


def test_malformed_xml_is_refused_with_its_line() -> None:
    with pytest.raises(ModelError) as caught:
        load(HEAD + b"\n<bpmn:process id='p'>\n<broken")
    assert caught.value.line is not None


def test_invalid_bpmn_is_refused() -> None:
    with pytest.raises(ModelError):
        load(HEAD + b'<bpmn:process id="p" isExecutable="true"><bpmn:userTask/></bpmn:process>' + TAIL)


def test_a_user_task_without_its_form_is_refused() -> None:
    with pytest.raises(ModelError, match="f.json") as caught:
        load(process(script_task("x = 1")), forms={})
    assert caught.value.element == "ask"


def test_a_gateway_condition_too_deep_to_run_is_refused_naming_its_flow() -> None:
    body = ('<bpmn:exclusiveGateway id="work" default="f3"><bpmn:incoming>f2</bpmn:incoming>'
            '<bpmn:outgoing>f3</bpmn:outgoing><bpmn:outgoing>f4</bpmn:outgoing></bpmn:exclusiveGateway>'
            '<bpmn:sequenceFlow id="f4" sourceRef="work" targetRef="end"><bpmn:conditionExpression>'
            + "-" * 1500 + "1 == 1</bpmn:conditionExpression></bpmn:sequenceFlow>")
    with pytest.raises(ModelError, match="nested too deeply") as caught:
        load_model(process(body).replace(b"<bpmn:incoming>f3</bpmn:incoming>",
                                         b"<bpmn:incoming>f3</bpmn:incoming><bpmn:incoming>f4</bpmn:incoming>"),
                   FORM, ())
    assert caught.value.element == "f4"


def message_catch(variable: str, extra: str = "") -> bytes:
    body = ('<bpmn:intermediateCatchEvent id="work" name="Wait"><bpmn:incoming>f2</bpmn:incoming>'
            '<bpmn:outgoing>f3</bpmn:outgoing><bpmn:messageEventDefinition id="md" messageRef="m">'
            f'<bpmn:extensionElements><spiffworkflow:messageVariable>{variable}</spiffworkflow:messageVariable>'
            f'{extra}</bpmn:extensionElements></bpmn:messageEventDefinition></bpmn:intermediateCatchEvent>')
    return process(body).replace(b"</bpmn:process>", b'</bpmn:process><bpmn:message id="m" name="outcome"/>')


def test_a_message_catch_event_with_a_plain_variable_loads() -> None:
    model, _ = load(message_catch("outcome"))
    assert model.process_id == "p"


@pytest.mark.parametrize("variable", ["__class__", "a.b", "x[0]", ""])
def test_a_message_variable_that_is_not_a_plain_name_is_refused(variable: str) -> None:
    with pytest.raises(ModelError) as caught:
        load(message_catch(variable))
    assert caught.value.element == "md" and "message variable" in caught.value.reason


def test_a_message_payload_expression_is_refused() -> None:
    with pytest.raises(ModelError) as caught:
        load(message_catch("outcome", "<spiffworkflow:messagePayload>__import__('os')</spiffworkflow:messagePayload>"))
    assert "messagePayload" in caught.value.reason
