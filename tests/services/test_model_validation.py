"""The validation report names every problem of a diagram and its forms: element, line, rule, message."""
from __future__ import annotations

import json
import re

import pytest

from bpmn import diagram_paths
from services.modeling.validation import validate_model
from services.process_models import read_forms
from tests import diagrams
from tests.diagrams import FORMS, small

FORM_WITH = {"ask.json": json.dumps({"type": "object", "properties": {"a": {"type": 7}}}).encode()}
CHINESE = re.compile(r"[\u4e00-\u9fff]")
LAYOUT = diagrams.SMALL[diagrams.SMALL.index("  <bpmndi:BPMNDiagram"):diagrams.SMALL.index("</bpmn:definitions>")]


def problems(bpmn: bytes, forms: dict[str, bytes] | None = None) -> list[dict[str, object]]:
    return validate_model(bpmn, FORMS if forms is None else forms).as_dict()["problems"]


def rules(bpmn: bytes, forms: dict[str, bytes] | None = None) -> set[tuple[object, object]]:
    return {(p["rule"], p["element"]) for p in problems(bpmn, forms)}


def test_the_small_diagram_and_every_shipped_diagram_are_clean() -> None:
    assert problems(small()) == []
    for path in diagram_paths():
        assert validate_model(path.read_bytes(), read_forms(path)).ok, path


CASES = [
    ("xml-not-well-formed", None, small(("</bpmn:definitions>", ""))),
    ("xml-forbidden", None, small(('<?xml version="1.0" encoding="UTF-8"?>',
                                   '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE d>'))),
    ("not-bpmn", None, b'<?xml version="1.0"?><definitions xmlns="http://example.org/not-bpmn"/>'),
    ("executable-process", None, small(('isExecutable="true"', 'isExecutable="false"'))),
    ("unsupported-element", "ask", small(('<bpmn:incoming>f1</bpmn:incoming>',
                                          '<bpmn:standardLoopCharacteristics/><bpmn:incoming>f1</bpmn:incoming>'))),
    ("unsafe-expression", "f_yes", small(("approved == True", "__import__('os').system('id')"))),
    ("unknown-operation", "ask", small(("<spiffworkflow:properties>",
                                        '<spiffworkflow:serviceTaskOperator id="os_system"/><spiffworkflow:properties>'))),
    ("lane-role", "lane_hrss", small(('name="hrss"', 'name="treasurer"'))),
    ("task-lane", "ask", small(("<bpmn:flowNodeRef>ask</bpmn:flowNodeRef>", ""))),
    ("user-task-form", "ask", small(('name="formJsonSchemaFilename" value="ask.json"', 'name="stage" value="x"'))),
    ("no-start", "small", small(('<bpmn:startEvent id="start" name="Start"><bpmn:outgoing>f1</bpmn:outgoing>'
                                 '</bpmn:startEvent>', ""))),
    ("unreachable", "end_no", small(('sourceRef="gw" targetRef="end_no"', 'sourceRef="gw" targetRef="end_yes"'))),
    ("gateway-conditions", "gw", small(("<bpmn:conditionExpression>approved == False</bpmn:conditionExpression>", ""))),
    ("gateway-default", "gw", small(('name="Approved?"', 'name="Approved?" default="f1"'))),
    ("di-missing", "ask", small(('<bpmndi:BPMNShape id="ask_di" bpmnElement="ask">', '<bpmndi:BPMNShape id="ask_di">'))),
    ("di-missing", "lane_hrss", small(('bpmnElement="lane_hrss"', ""))),
    ("di-absent", "small", small((LAYOUT, ""))),
]


@pytest.mark.parametrize(("rule", "element", "bpmn"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_each_rule_reports_its_problem_in_chinese_with_the_element_and_line(
        rule: str, element: str | None, bpmn: bytes) -> None:
    found = [p for p in problems(bpmn) if p["rule"] == rule]
    assert found, problems(bpmn)
    assert found[0]["element"] == element
    assert CHINESE.search(str(found[0]["message"]))
    if rule not in ("executable-process", "not-bpmn"):
        assert isinstance(found[0]["line"], int) or rule in ("xml-forbidden",)


def test_an_unsafe_script_is_reported_on_its_task() -> None:
    script = ('<bpmn:scriptTask id="calc" name="Calc"><bpmn:incoming>f2</bpmn:incoming>'
              '<bpmn:outgoing>f3</bpmn:outgoing><bpmn:script>import os</bpmn:script></bpmn:scriptTask>')
    bpmn = small(('<bpmn:sequenceFlow id="f2" sourceRef="ask" targetRef="gw"/>',
                  f'<bpmn:sequenceFlow id="f2" sourceRef="ask" targetRef="calc"/>{script}'
                  '<bpmn:sequenceFlow id="f3" sourceRef="calc" targetRef="gw"/>'))
    assert ("unsafe-script", "calc") in rules(bpmn)


@pytest.mark.parametrize(("rule", "form"), [
    ("form-missing", None),
    ("form-json", b"{not json"),
    ("form-schema", json.dumps({"type": "object", "properties": {"a": {"type": 7}}}).encode()),
    ("form-schema", json.dumps({"type": "array"}).encode()),
    ("form-ref", json.dumps({"type": "object", "properties": {"a": {"$ref": "http://example.org/x.json"}}}).encode()),
    ("form-ref", json.dumps({"$id": "http://example.org/f", "type": "object", "properties": {}}).encode()),
    ("form-expression", json.dumps({"type": "object", "properties": {
        "a": {"type": "string", "default": {"$expr": "__import__('os')"}}}}).encode()),
])
def test_each_form_rule_reports_the_task_that_uses_the_form(rule: str, form: bytes | None) -> None:
    forms = {} if form is None else {"ask.json": form}
    found = [p for p in problems(small(), forms) if p["rule"] == rule]
    assert found and found[0]["element"] == "ask" and "ask.json" in str(found[0]["message"])


def test_every_problem_is_reported_at_once_not_just_the_first() -> None:
    bpmn = small(('name="hrss"', 'name="treasurer"'), ("approved == True", "open('/etc/passwd')"),
                 ('<bpmndi:BPMNShape id="gw_di" bpmnElement="gw" isMarkerVisible="true">',
                  '<bpmndi:BPMNShape id="gw_di" isMarkerVisible="true">'))
    assert rules(bpmn, FORM_WITH) >= {("lane-role", "lane_hrss"), ("unsafe-expression", "f_yes"),
                                      ("di-missing", "gw"), ("form-schema", "ask")}


def test_a_revised_fund_project_with_a_new_step_and_its_form_is_clean() -> None:
    bpmn, forms = diagrams.with_publication()
    assert problems(bpmn, forms) == []
    del forms["plan_publish.json"]
    assert rules(bpmn, forms) == {("form-missing", "plan_publish")}
