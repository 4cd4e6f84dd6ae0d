"""Diagrams for tests: a small clean one to break rule by rule, and revisions of the fund project."""
from __future__ import annotations

import json

from lxml import etree

from tests import support

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC", "di": "http://www.omg.org/spec/DD/20100524/DI",
      "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core"}
FORM = {"type": "object", "properties": {"approved": {"type": "boolean", "title": "同意"}}, "required": ["approved"]}
FORMS = {"ask.json": json.dumps(FORM).encode()}

SMALL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:collaboration id="collab"><bpmn:participant id="pool" name="Small" processRef="small"/></bpmn:collaboration>
  <bpmn:process id="small" name="Small" isExecutable="true">
    <bpmn:laneSet id="lanes"><bpmn:lane id="lane_hrss" name="hrss">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>ask</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>gw</bpmn:flowNodeRef><bpmn:flowNodeRef>end_yes</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>end_no</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start" name="Start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="ask" name="Ask">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="ask.json"/>
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="gw" name="Approved?">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f_yes</bpmn:outgoing><bpmn:outgoing>f_no</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:endEvent id="end_yes" name="Yes"><bpmn:incoming>f_yes</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_no" name="No"><bpmn:incoming>f_no</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ask"/>
    <bpmn:sequenceFlow id="f2" sourceRef="ask" targetRef="gw"/>
    <bpmn:sequenceFlow id="f_yes" sourceRef="gw" targetRef="end_yes">
      <bpmn:conditionExpression>approved == True</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_no" sourceRef="gw" targetRef="end_no">
      <bpmn:conditionExpression>approved == False</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram"><bpmndi:BPMNPlane id="plane" bpmnElement="collab">
    <bpmndi:BPMNShape id="pool_di" bpmnElement="pool" isHorizontal="true"><dc:Bounds x="100" y="80" width="600" height="250"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="lane_hrss_di" bpmnElement="lane_hrss" isHorizontal="true"><dc:Bounds x="130" y="80" width="570" height="250"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="170" y="162" width="36" height="36"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="ask_di" bpmnElement="ask"><dc:Bounds x="250" y="140" width="100" height="80"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="gw_di" bpmnElement="gw" isMarkerVisible="true"><dc:Bounds x="400" y="155" width="50" height="50"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="end_yes_di" bpmnElement="end_yes"><dc:Bounds x="522" y="162" width="36" height="36"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="end_no_di" bpmnElement="end_no"><dc:Bounds x="522" y="252" width="36" height="36"/></bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1"><di:waypoint x="206" y="180"/><di:waypoint x="250" y="180"/></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2"><di:waypoint x="350" y="180"/><di:waypoint x="400" y="180"/></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="f_yes_di" bpmnElement="f_yes"><di:waypoint x="450" y="180"/><di:waypoint x="522" y="180"/></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="f_no_di" bpmnElement="f_no"><di:waypoint x="425" y="205"/><di:waypoint x="425" y="270"/><di:waypoint x="522" y="270"/></bpmndi:BPMNEdge>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def small(*changes: tuple[str, str]) -> bytes:
    """Return the small clean diagram with each (old, new) text replaced (every old text must occur)."""
    text = SMALL
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new)
    return text.encode()


def _tree(xml: bytes) -> etree._Element:
    return etree.fromstring(xml)


def _one(root: etree._Element, path: str) -> etree._Element:
    found = root.xpath(path, namespaces=NS)
    assert len(found) == 1, path
    return found[0]


def _sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    prefix, name = tag.split(":")
    return etree.SubElement(parent, f"{{{NS[prefix]}}}{name}", attrs)


def _shape(plane: etree._Element, element: str, x: int, y: int, w: int = 100, h: int = 80) -> None:
    shape = _sub(plane, "bpmndi:BPMNShape", id=f"{element}_di", bpmnElement=element)
    _sub(shape, "dc:Bounds", x=str(x), y=str(y), width=str(w), height=str(h))


def _edge(plane: etree._Element, flow: str, points: list[tuple[int, int]]) -> None:
    edge = _sub(plane, "bpmndi:BPMNEdge", id=f"{flow}_di", bpmnElement=flow)
    for x, y in points:
        _sub(edge, "di:waypoint", x=str(x), y=str(y))


def _bounds(root: etree._Element, element: str) -> tuple[int, int]:
    bounds = _one(root, f"//bpmndi:BPMNShape[@bpmnElement='{element}']/dc:Bounds")
    return int(float(bounds.get("x"))), int(float(bounds.get("y")))


def insert_user_task(xml: bytes, flow: str, task: str, name: str, lane: str, form: str, stage: str = "plan") -> bytes:
    """Return *xml* with a new user task of *lane* (its form *form*) placed on the sequence flow *flow*."""
    root = _tree(xml)
    process = _one(root, "//bpmn:process")
    old = _one(root, f"//bpmn:sequenceFlow[@id='{flow}']")
    target = old.get("targetRef")
    old.set("targetRef", task)
    _one(root, f"//*[@id='{target}']/bpmn:incoming[text()='{flow}']").text = f"{task}_out"
    new = _sub(process, "bpmn:userTask", id=task, name=name)
    props = _sub(_sub(new, "bpmn:extensionElements"), "spiffworkflow:properties")
    _sub(props, "spiffworkflow:property", name="formJsonSchemaFilename", value=form)
    _sub(props, "spiffworkflow:property", name="stage", value=stage)
    _sub(new, "bpmn:incoming").text = flow
    _sub(new, "bpmn:outgoing").text = f"{task}_out"
    _sub(process, "bpmn:sequenceFlow", id=f"{task}_out", sourceRef=task, targetRef=target)
    _sub(_one(root, f"//bpmn:lane[@name='{lane}']"), "bpmn:flowNodeRef").text = task
    plane = _one(root, "//bpmndi:BPMNPlane")
    x, y = _bounds(root, old.get("sourceRef"))
    _shape(plane, task, x + 30, y + 30)
    _edge(plane, f"{task}_out", [(x + 130, y + 70), (x + 200, y + 70)])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def remove_user_task(xml: bytes, task: str) -> bytes:
    """Return *xml* without the user task *task*; its incoming flow now goes where its outgoing went."""
    root = _tree(xml)
    node = _one(root, f"//bpmn:userTask[@id='{task}']")
    out_id = _one(node, "bpmn:outgoing").text
    out = _one(root, f"//bpmn:sequenceFlow[@id='{out_id}']")
    target = out.get("targetRef")
    for incoming in node.xpath("bpmn:incoming", namespaces=NS):
        _one(root, f"//bpmn:sequenceFlow[@id='{incoming.text}']").set("targetRef", target)
        _one(root, f"//*[@id='{target}']/bpmn:incoming[text()='{out_id}']").text = incoming.text
    for element in (node, out, _one(root, f"//bpmn:flowNodeRef[text()='{task}']"),
                    _one(root, f"//bpmndi:BPMNShape[@bpmnElement='{task}']"),
                    _one(root, f"//bpmndi:BPMNEdge[@bpmnElement='{out_id}']")):
        element.getparent().remove(element)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _drop(root: etree._Element, *paths: str) -> None:
    for path in paths:
        element = _one(root, path)
        element.getparent().remove(element)


def remove_gateway(xml: bytes, gateway: str, kept: str) -> bytes:
    """Return *xml* without the gateway *gateway*: what came in goes where its flow *kept* went, other ways are gone."""
    root = _tree(xml)
    node = _one(root, f"//bpmn:exclusiveGateway[@id='{gateway}']")
    (incoming,) = node.xpath("bpmn:incoming/text()", namespaces=NS)
    target = _one(root, f"//bpmn:sequenceFlow[@id='{kept}']").get("targetRef")
    _one(root, f"//bpmn:sequenceFlow[@id='{incoming}']").set("targetRef", target)
    _one(root, f"//*[@id='{target}']/bpmn:incoming[text()='{kept}']").text = incoming
    for out in node.xpath("bpmn:outgoing/text()", namespaces=NS):
        if out != kept:
            other = _one(root, f"//bpmn:sequenceFlow[@id='{out}']").get("targetRef")
            _drop(root, f"//*[@id='{other}']/bpmn:incoming[text()='{out}']")
        _drop(root, f"//bpmn:sequenceFlow[@id='{out}']", f"//bpmndi:BPMNEdge[@bpmnElement='{out}']")
    _drop(root, f"//bpmn:exclusiveGateway[@id='{gateway}']", f"//bpmn:flowNodeRef[text()='{gateway}']",
          f"//bpmndi:BPMNShape[@bpmnElement='{gateway}']")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def fund_project(*changes: tuple[bytes, bytes]) -> bytes:
    """Return the shipped fund project diagram with each (old, new) bytes replaced."""
    data = support.FUND_PROJECT.read_bytes()
    for old, new in changes:
        assert old in data, old
        data = data.replace(old, new)
    return data


PUBLISH_FORM = {"type": "object", "title": "计划公示",
                "properties": {"published_on": {"type": "string", "format": "date", "title": "公示日期"}},
                "required": ["published_on"]}


def with_publication(xml: bytes | None = None) -> tuple[bytes, dict[str, bytes]]:
    """Return the fund project with a new bureau step 计划公示 after the bank is assigned."""
    revised = insert_user_task(xml or support.FUND_PROJECT.read_bytes(), "flow_assign_bank", "plan_publish",
                               "计划公示", "hrss", "plan_publish.json")
    return revised, {**support.read_forms(), "plan_publish.json": json.dumps(PUBLISH_FORM).encode()}


ARCHIVE_FORM = {"type": "object", "title": "付款归档",
                "properties": {"archive_no": {"type": "string", "title": "归档编号", "maxLength": 64}}}


def with_payment_archive() -> tuple[bytes, dict[str, bytes]]:
    """Return the fund project revised around its payment period, with its forms.

    The bank's step 确认付款 is relabelled 确认付款（合作银行）, its form gains an optional field
    `payment_note`, and a new bureau step 付款归档 follows each payment period.
    """
    revised = insert_user_task(fund_project(('<bpmn:userTask id="payment" name="确认付款">'.encode(),
                                             '<bpmn:userTask id="payment" name="确认付款（合作银行）">'.encode())),
                               "flow_payment_done", "payment_archive", "付款归档", "hrss", "payment_archive.json",
                               stage="payment")
    forms = support.read_forms()
    payment = json.loads(forms["payment.json"])
    payment["properties"]["payment_note"] = {"type": "string", "title": "付款说明", "maxLength": 200}
    return revised, {**forms, "payment.json": json.dumps(payment, ensure_ascii=False).encode(),
                     "payment_archive.json": json.dumps(ARCHIVE_FORM, ensure_ascii=False).encode()}


def rename_payment_period(xml: bytes | None = None) -> bytes:
    """Return the fund project whose payment sub-process has another id (it is another sub-process)."""
    data = xml or support.FUND_PROJECT.read_bytes()
    return data.replace(b'"payment_period"', b'"payment_clock"').replace(b">payment_period<", b">payment_clock<")


def _asking(task: str) -> str:
    return (f'<bpmn:userTask id="{task}" name="{task}"><bpmn:extensionElements><spiffworkflow:properties>'
            '<spiffworkflow:property name="formJsonSchemaFilename" value="ask.json"/>'
            '</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>')


def _then(flow: str, source: str, step: str | None, target: str) -> str:
    """Return the flow from *source* to *target*, through the user task *step* if given."""
    if step is None:
        return f'<bpmn:sequenceFlow id="{flow}" sourceRef="{source}" targetRef="{target}"/>'
    return (_asking(step) + f'<bpmn:sequenceFlow id="{flow}" sourceRef="{source}" targetRef="{step}"/>'
            f'<bpmn:sequenceFlow id="{flow}_next" sourceRef="{step}" targetRef="{target}"/>')


def _engine_only(process_id: str, name: str, nodes: list[str], body: str) -> bytes:
    """Return a diagram without layout (for the engine only): one process, every node in the `hrss` lane."""
    refs = "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in nodes)
    return f'''<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="{NS['bpmn']}" xmlns:spiffworkflow="{NS['spiffworkflow']}" id="defs"
    targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{process_id}" name="{name}" isExecutable="true">
    <bpmn:laneSet id="lanes"><bpmn:lane id="lane_hrss" name="hrss">{refs}</bpmn:lane></bpmn:laneSet>{body}
  </bpmn:process>
</bpmn:definitions>'''.encode()


def nested(after_inner: str | None = None, after_outer: str | None = None, instances: int = 0) -> bytes:
    """Return a process (no layout: for the engine only) whose sub-process `outer` holds the sub-process `inner`
    with the user task `ask`; optional user tasks after each sub-process; `outer` runs *instances* times in
    sequence (multi-instance) if given."""
    loop = (f'<bpmn:multiInstanceLoopCharacteristics isSequential="true"><bpmn:loopCardinality>{instances}'
            '</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>') if instances else ""
    nodes = ["start", "outer", "end", "outer_start", "inner", "outer_end", "inner_start", "ask", "inner_end",
             *[step for step in (after_inner, after_outer) if step]]
    return _engine_only("nested", "Nested", nodes, f'''
    <bpmn:startEvent id="start"/>
    <bpmn:subProcess id="outer" name="Outer">{loop}
      <bpmn:startEvent id="outer_start"/>
      <bpmn:subProcess id="inner" name="Inner">
        <bpmn:startEvent id="inner_start"/>{_asking("ask")}<bpmn:endEvent id="inner_end"/>
        <bpmn:sequenceFlow id="i1" sourceRef="inner_start" targetRef="ask"/>
        <bpmn:sequenceFlow id="i2" sourceRef="ask" targetRef="inner_end"/>
      </bpmn:subProcess>
      <bpmn:endEvent id="outer_end"/>
      <bpmn:sequenceFlow id="o1" sourceRef="outer_start" targetRef="inner"/>
      {_then("o2", "inner", after_inner, "outer_end")}
    </bpmn:subProcess>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="outer"/>
    {_then("f2", "outer", after_outer, "end")}''')


def with_event_subprocess(second: str | None = None) -> bytes:
    """Return a process (no layout: for the engine only) with the user task `first` (then *second* if given)
    and a non-interrupting event sub-process `events` whose timer (due 2026-09-15 03:00 UTC) opens `chase`."""
    nodes = ["start", "first", "end", "events", "ev_start", "chase", "ev_end", *([second] if second else [])]
    timer = '"2026-09-15T03:00:00+00:00"'
    return _engine_only("events_process", "Events", nodes, f'''
    <bpmn:startEvent id="start"/>{_asking("first")}<bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="first"/>
    {_then("f2", "first", second, "end")}
    <bpmn:subProcess id="events" name="Chase" triggeredByEvent="true">
      <bpmn:startEvent id="ev_start" isInterrupting="false">
        <bpmn:timerEventDefinition id="ev_timer"><bpmn:timeDate>{timer}</bpmn:timeDate></bpmn:timerEventDefinition>
      </bpmn:startEvent>
      {_asking("chase")}<bpmn:endEvent id="ev_end"/>
      <bpmn:sequenceFlow id="e1" sourceRef="ev_start" targetRef="chase"/>
      <bpmn:sequenceFlow id="e2" sourceRef="chase" targetRef="ev_end"/>
    </bpmn:subProcess>''')
