// The process owner's modeler page: bpmn-js Modeler with the properties panel, a JSON editor with a
// live server-rendered preview for each form, and validate / deploy against the page's JSON endpoints.
import Modeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import { moddleExtensions } from './moddle';
import YikatongProviderModule from './provider';
import { wireForms, collectForms } from './forms-editor';
import { renderReport } from './report';
import { translateModule } from './translate';

const root = document.querySelector('[data-modeler]');

function post(url, body, config) {
  return fetch(url, {
    method: 'POST', credentials: 'same-origin', body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': config.csrf },
  });
}

async function payload(modeler, config) {
  const { xml } = await modeler.saveXML({ format: true });
  return { bpmn: xml, forms: collectForms(root), filename: config.filename };
}

function selectElement(modeler, id) {
  const element = modeler.get('elementRegistry').get(id);
  if (element) {
    modeler.get('selection').select(element);
    modeler.get('canvas').scrollToElement(element);
  }
}

async function check(modeler, config, reportBox, action) {
  reportBox.setAttribute('data-state', 'busy');
  const url = action === 'deploy' ? config.deploy : config.validate;
  const response = await post(url, await payload(modeler, config), config);
  const body = await response.json();
  if (action === 'deploy' && response.status === 201) {
    window.location.assign(body.url);
    return;
  }
  const report = body.problems ? body : { ok: false, problems: [{ element: null, line: null,
    rule: 'request', message: body.message || String(response.status) }] };
  renderReport(reportBox, report, config.labels, (id) => selectElement(modeler, id));
}

async function start() {
  const config = JSON.parse(root.getAttribute('data-config'));
  const modeler = new Modeler({
    container: root.querySelector('.modeler-canvas'),
    propertiesPanel: { parent: root.querySelector('.modeler-properties') },
    additionalModules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, YikatongProviderModule,
      translateModule],
    moddleExtensions,
  });
  const reportBox = root.querySelector('.validation-report');
  const response = await fetch(config.source, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  const source = await response.json();
  const { warnings } = await modeler.importXML(source.bpmn);
  modeler.get('canvas').zoom('fit-viewport', 'auto');
  root.setAttribute('data-warnings', String(warnings.length));
  wireForms(root, config);
  root.querySelectorAll('[data-action="validate"], [data-action="deploy"]').forEach((button) => {
    button.disabled = false;
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await check(modeler, config, reportBox, button.getAttribute('data-action'));
      } finally {
        button.disabled = false;
      }
    });
  });
  root.setAttribute('data-loaded', 'true');
}

if (root) {
  start().catch((error) => {
    root.setAttribute('data-loaded', 'error');
    const box = root.querySelector('.validation-report');
    box.textContent = String(error.message || error);
  });
}
