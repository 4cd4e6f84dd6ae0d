// Read and write our spiffworkflow:properties entries of a BPMN element through bpmn-js commands
// (so every change can be undone and the rest of the extension elements stay untouched).
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

function propertiesOf(businessObject) {
  const extensions = businessObject.get('extensionElements');
  if (!extensions) {
    return null;
  }
  return extensions.get('values').find((value) => is(value, 'spiffworkflow:Properties')) || null;
}

export function getProperty(element, name) {
  const properties = propertiesOf(getBusinessObject(element));
  const entry = properties && properties.get('entries').find((item) => item.get('name') === name);
  return entry ? entry.get('value') || '' : '';
}

function ensureProperties(element, injector) {
  const bpmnFactory = injector.get('bpmnFactory');
  const modeling = injector.get('modeling');
  const businessObject = getBusinessObject(element);
  let extensions = businessObject.get('extensionElements');
  if (!extensions) {
    extensions = bpmnFactory.create('bpmn:ExtensionElements', { values: [] });
    extensions.$parent = businessObject;
    modeling.updateModdleProperties(element, businessObject, { extensionElements: extensions });
  }
  let properties = propertiesOf(businessObject);
  if (!properties) {
    properties = bpmnFactory.create('spiffworkflow:Properties', { entries: [] });
    properties.$parent = extensions;
    modeling.updateModdleProperties(element, extensions, { values: [...extensions.get('values'), properties] });
  }
  return properties;
}

export function setProperty(element, name, value, injector) {
  const modeling = injector.get('modeling');
  const existing = propertiesOf(getBusinessObject(element));
  const entry = existing && existing.get('entries').find((item) => item.get('name') === name);
  if (!value) {
    if (entry) {
      modeling.updateModdleProperties(element, existing, {
        entries: existing.get('entries').filter((item) => item !== entry) });
    }
    return;
  }
  if (entry) {
    modeling.updateModdleProperties(element, entry, { value });
    return;
  }
  const properties = ensureProperties(element, injector);
  const created = injector.get('bpmnFactory').create('spiffworkflow:Property', { name, value });
  created.$parent = properties;
  modeling.updateModdleProperties(element, properties, { entries: [...properties.get('entries'), created] });
}

export function timerDefinition(element) {
  const businessObject = getBusinessObject(element);
  if (!is(businessObject, 'bpmn:Event')) {
    return null;
  }
  const definitions = businessObject.get('eventDefinitions') || [];
  return definitions.find((definition) => is(definition, 'bpmn:TimerEventDefinition')) || null;
}

export function isConditionalFlow(element) {
  if (!is(element, 'bpmn:SequenceFlow')) {
    return false;
  }
  const source = getBusinessObject(element).get('sourceRef');
  return is(source, 'bpmn:ExclusiveGateway') || is(source, 'bpmn:InclusiveGateway');
}
