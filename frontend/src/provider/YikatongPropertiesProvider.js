// Adds our groups to the properties panel: role of a lane, form of a user task, condition of a flow
// leaving a gateway, expression of a timer. Everything else is bpmn-js-properties-panel's own.
import { is } from 'bpmn-js/lib/util/ModelUtil';
import { isTextFieldEntryEdited, isSelectEntryEdited } from '@bpmn-io/properties-panel';
import { Condition, FormFile, LaneRole, SeparateFrom, Stage, TimerExpression, TimerKind } from './entries';
import { isConditionalFlow, timerDefinition } from './extensions';

const PRIORITY = 500;

function label(key) {
  const root = document.querySelector('[data-modeler]');
  const labels = JSON.parse((root && root.getAttribute('data-config')) || '{}').labels || {};
  return labels[key] || key;
}

function group(id, key, element, entries) {
  return { id, label: label(key), entries: entries.map(([entryId, component, edited]) => ({
    id: entryId, component, element, isEdited: edited })) };
}

export default function YikatongPropertiesProvider(propertiesPanel) {
  propertiesPanel.registerProvider(PRIORITY, this);
}

YikatongPropertiesProvider.$inject = ['propertiesPanel'];

YikatongPropertiesProvider.prototype.getGroups = function getGroups(element) {
  return function addGroups(groups) {
    if (is(element, 'bpmn:Lane')) {
      groups.splice(1, 0, group('yikatong-role', 'roleGroup', element,
        [['yikatong-lane-role', LaneRole, isSelectEntryEdited]]));
    }
    if (is(element, 'bpmn:UserTask')) {
      groups.splice(1, 0, group('yikatong-form', 'formGroup', element, [
        ['yikatong-form-file', FormFile, isTextFieldEntryEdited],
        ['yikatong-stage', Stage, isTextFieldEntryEdited],
        ['yikatong-separate-from', SeparateFrom, isTextFieldEntryEdited],
      ]));
    }
    if (isConditionalFlow(element)) {
      groups.splice(1, 0, group('yikatong-condition', 'conditionGroup', element,
        [['yikatong-condition-expression', Condition, isTextFieldEntryEdited]]));
    }
    if (timerDefinition(element)) {
      groups.splice(1, 0, group('yikatong-timer', 'timerGroup', element, [
        ['yikatong-timer-kind', TimerKind, isSelectEntryEdited],
        ['yikatong-timer-expression', TimerExpression, isTextFieldEntryEdited],
      ]));
    }
    return groups;
  };
};
