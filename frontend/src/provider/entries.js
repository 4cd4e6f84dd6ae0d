// The entries of our properties groups: a lane's role, a user task's form, stage and separation,
// a flow's condition and a timer's expression. Labels come from the page (Chinese first).
import { SelectEntry, TextFieldEntry } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { jsx } from '@bpmn-io/properties-panel/preact/jsx-runtime';
import { getBusinessObject } from 'bpmn-js/lib/util/ModelUtil';
import { getProperty, setProperty, timerDefinition } from './extensions';

function config() {
  const root = document.querySelector('[data-modeler]');
  return JSON.parse((root && root.getAttribute('data-config')) || '{}');
}

function label(key) {
  return (config().labels || {})[key] || key;
}

export function LaneRole(props) {
  const { element, id } = props;
  const modeling = useService('modeling');
  const debounce = useService('debounceInput');
  const roles = config().roles || [];
  const options = () => [{ value: '', label: label('noRole') },
    ...roles.map(([value, title]) => ({ value, label: `${title} (${value})` }))];
  return jsx(SelectEntry, {
    element, id, label: label('role'), getOptions: options, debounce,
    getValue: () => getBusinessObject(element).get('name') || '',
    setValue: (value) => modeling.updateProperties(element, { name: value || undefined }),
  });
}

function propertyEntry(key, name) {
  return function PropertyEntry(props) {
    const { element, id } = props;
    const injector = useService('injector');
    const debounce = useService('debounceInput');
    return jsx(TextFieldEntry, {
      element, id, label: label(key), debounce, description: label(`${key}Hint`),
      getValue: () => getProperty(element, name),
      setValue: (value) => setProperty(element, name, (value || '').trim(), injector),
    });
  };
}

export const FormFile = propertyEntry('form', 'formJsonSchemaFilename');
export const Stage = propertyEntry('stage', 'stage');
export const SeparateFrom = propertyEntry('separateFrom', 'separateFrom');

export function Condition(props) {
  const { element, id } = props;
  const modeling = useService('modeling');
  const bpmnFactory = useService('bpmnFactory');
  const debounce = useService('debounceInput');
  return jsx(TextFieldEntry, {
    element, id, label: label('condition'), debounce, description: label('conditionHint'),
    getValue: () => {
      const expression = getBusinessObject(element).get('conditionExpression');
      return expression ? expression.get('body') || '' : '';
    },
    setValue: (value) => {
      const body = (value || '').trim();
      const expression = body ? bpmnFactory.create('bpmn:FormalExpression', { body }) : undefined;
      modeling.updateProperties(element, { conditionExpression: expression });
    },
  });
}

const TIMER_KINDS = ['timeDate', 'timeDuration'];

function timerKind(definition) {
  return TIMER_KINDS.find((kind) => definition.get(kind)) || 'timeDate';
}

export function TimerKind(props) {
  const { element, id } = props;
  const modeling = useService('modeling');
  const bpmnFactory = useService('bpmnFactory');
  const definition = timerDefinition(element);
  return jsx(SelectEntry, {
    element, id, label: label('timerKind'),
    getOptions: () => TIMER_KINDS.map((kind) => ({ value: kind, label: label(kind) })),
    getValue: () => timerKind(definition),
    setValue: (kind) => {
      const current = definition.get(timerKind(definition));
      const body = current ? current.get('body') : '';
      const expression = bpmnFactory.create('bpmn:FormalExpression', { body });
      modeling.updateModdleProperties(element, definition, {
        timeDate: kind === 'timeDate' ? expression : undefined,
        timeDuration: kind === 'timeDuration' ? expression : undefined,
        timeCycle: undefined,
      });
    },
  });
}

export function TimerExpression(props) {
  const { element, id } = props;
  const modeling = useService('modeling');
  const bpmnFactory = useService('bpmnFactory');
  const debounce = useService('debounceInput');
  const definition = timerDefinition(element);
  return jsx(TextFieldEntry, {
    element, id, label: label('timerExpression'), debounce, description: label('timerHint'),
    getValue: () => {
      const current = definition.get(timerKind(definition));
      return current ? current.get('body') || '' : '';
    },
    setValue: (value) => {
      const body = (value || '').trim();
      const kind = timerKind(definition);
      modeling.updateModdleProperties(element, definition, {
        [kind]: body ? bpmnFactory.create('bpmn:FormalExpression', { body }) : undefined,
      });
    },
  });
}
