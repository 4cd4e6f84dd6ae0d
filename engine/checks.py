"""Deploy-time safety scan of a BPMN tree: allowed elements and checked expressions only."""
from __future__ import annotations

from collections.abc import Collection

from lxml import etree

from engine.errors import ExpressionError, ModelError
from engine.expressions import check_expression, parse_script

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
MAX_ELEMENTS = 5000

ALLOWED_BPMN = frozenset("""
definitions collaboration participant process laneSet lane flowNodeRef childLaneSet
startEvent endEvent intermediateCatchEvent intermediateThrowEvent boundaryEvent
userTask manualTask task scriptTask script serviceTask subProcess
exclusiveGateway parallelGateway inclusiveGateway eventBasedGateway
sequenceFlow conditionExpression incoming outgoing extensionElements documentation
timerEventDefinition timeDate timeDuration timeCycle terminateEventDefinition
messageEventDefinition signalEventDefinition errorEventDefinition escalationEventDefinition
message signal error escalation textAnnotation text association group category categoryValue
dataObject dataObjectReference dataInputAssociation dataOutputAssociation sourceRef targetRef
multiInstanceLoopCharacteristics loopDataInputRef loopDataOutputRef inputDataItem outputDataItem
loopCardinality completionCondition
""".split())
ALLOWED_SPIFF = frozenset(
    "properties property serviceTaskOperator parameters parameter preScript postScript "
    "instructionsForEndUser messageVariable".split()
)
EXPRESSION_TAGS = frozenset({"conditionExpression", "timeDate", "timeDuration", "timeCycle", "loopCardinality",
                             "completionCondition"})
DATA_NAME_TAGS = frozenset({"loopDataInputRef", "loopDataOutputRef"})
MESSAGE_VARIABLE = "messageVariable"
DATA_ITEM_TAGS = frozenset({"inputDataItem", "outputDataItem"})
EXPRESSION_PROPERTIES = frozenset({"dueDate", "dueProvisional"})
SCRIPT_TAGS = {(BPMN, "script"), (SPIFF, "preScript"), (SPIFF, "postScript")}


def _owner_id(element: etree._Element) -> str | None:
    node: etree._Element | None = element
    while node is not None:
        if node.get("id") and etree.QName(node).namespace == BPMN:
            return node.get("id")
        node = node.getparent()
    return None


def _refuse(element: etree._Element, reason: str, rule: str) -> ModelError:
    return ModelError(reason, element=_owner_id(element), line=element.sourceline, rule=rule)


def _element_problem(element: etree._Element, operations: Collection[str]) -> ModelError | None:
    qname = etree.QName(element)
    namespace, tag = qname.namespace, qname.localname
    if namespace in (BPMNDI, DC, DI):
        return None
    if namespace == BPMN and tag not in ALLOWED_BPMN:
        return _refuse(element, f"bpmn:{tag} is not supported", "unsupported-element")
    if namespace == SPIFF and tag not in ALLOWED_SPIFF:
        return _refuse(element, f"spiffworkflow:{tag} is not supported", "unsupported-element")
    if namespace not in (BPMN, SPIFF):
        return _refuse(element, f"elements of namespace {namespace!r} are not allowed", "unsupported-element")
    try:
        _check_code(element, namespace, tag, operations)
    except ExpressionError as exc:
        return _refuse(element, str(exc), _code_rule(namespace, tag))
    return None


def _code_rule(namespace: str, tag: str) -> str:
    if (namespace, tag) in SCRIPT_TAGS:
        return "unsafe-script"
    if namespace == SPIFF and tag == "serviceTaskOperator":
        return "unknown-operation"
    return "unsafe-expression"


def _check_data_name(name: str, what: str = "a multi-instance data reference") -> None:
    if not name.isidentifier() or name.startswith("_"):
        raise ExpressionError(f"{what} must be a plain variable name, not {name!r}")


def _check_code(element: etree._Element, namespace: str, tag: str, operations: Collection[str]) -> None:
    if namespace == BPMN and tag in EXPRESSION_TAGS:
        check_expression(element.text or "")
    elif namespace == BPMN and tag in DATA_NAME_TAGS:
        _check_data_name((element.text or "").strip())
    elif namespace == BPMN and tag in DATA_ITEM_TAGS:
        _check_data_name(element.get("id") or "")
    elif (namespace, tag) in SCRIPT_TAGS:
        parse_script(element.text or "")
    elif namespace == SPIFF and tag == MESSAGE_VARIABLE:
        _check_data_name((element.text or "").strip(), "a message variable")
    elif namespace == SPIFF and tag == "parameter":
        check_expression(element.get("value") or "")
    elif namespace == SPIFF and tag == "property" and element.get("name") in EXPRESSION_PROPERTIES:
        check_expression(element.get("value") or "")
    elif namespace == SPIFF and tag == "serviceTaskOperator":
        if element.get("id") not in operations:
            raise ExpressionError(f"unknown service operation {element.get('id')!r}; "
                                  f"known: {sorted(operations)}")


def tree_problems(root: etree._Element, operations: Collection[str]) -> list[ModelError]:
    """Return every unsupported or unsafe element of a BPMN tree, in document order."""
    if etree.QName(root).namespace != BPMN or etree.QName(root).localname != "definitions":
        return [ModelError("the root element must be bpmn:definitions", line=root.sourceline, rule="not-bpmn")]
    problems: list[ModelError] = []
    for count, element in enumerate(root.iter(), start=1):
        if count > MAX_ELEMENTS:
            problems.append(ModelError(f"the diagram has more than {MAX_ELEMENTS} elements", rule="xml-forbidden"))
            break
        if not isinstance(element.tag, str):
            if isinstance(element, etree._Entity):
                problems.append(_refuse(element, "entities are not allowed", "xml-forbidden"))
            continue
        problem = _element_problem(element, operations)
        if problem is not None:
            problems.append(problem)
    return problems


def check_tree(root: etree._Element, operations: Collection[str]) -> None:
    """Raise ModelError naming the first element that is unsupported or unsafe."""
    problems = tree_problems(root, operations)
    if problems:
        raise problems[0]
