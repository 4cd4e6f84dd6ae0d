// The diagram widget: draws a process model with bpmn-js (zoom and pan), marks an instance's state on
// it and tells who completed an element when it is clicked. Reads its JSON from data-source.
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import { moddleExtensions } from './moddle';

const STATES = ['completed', 'ready', 'waiting', 'overdue'];

function text(tag, className, content) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (content !== undefined) {
    node.textContent = content;
  }
  return node;
}

function formatTime(iso) {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) {
    return iso;
  }
  return when.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false,
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

function showDetails(panel, labels, element, data) {
  panel.replaceChildren();
  const business = element.businessObject || {};
  panel.appendChild(text('h3', 'diagram-details-title', business.name || element.id));
  const state = (data.states || {})[element.id];
  if (state) {
    panel.appendChild(text('p', `diagram-state state-${state}`, labels[state] || state));
  }
  const done = (data.details || {})[element.id] || [];
  if (done.length) {
    const list = text('ul', 'plain diagram-done');
    for (const item of done) {
      list.appendChild(text('li', '', `${item.by || labels.system || ''} · ${formatTime(item.at)}`));
    }
    panel.appendChild(list);
  } else if (!state) {
    panel.appendChild(text('p', 'muted', labels.nothing || ''));
  }
}

function mark(viewer, data) {
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  for (const [id, state] of Object.entries(data.states || {})) {
    if (registry.get(id) && STATES.includes(state)) {
      canvas.addMarker(id, `state-${state}`);
    }
  }
  for (const id of data.path || []) {
    if (registry.get(id)) {
      canvas.addMarker(id, 'state-path');
    }
  }
}

function wireToolbar(widget, viewer) {
  const canvas = viewer.get('canvas');
  widget.querySelectorAll('[data-zoom]').forEach((button) => {
    button.hidden = false;
    button.addEventListener('click', () => {
      const how = button.getAttribute('data-zoom');
      if (how === 'fit') {
        canvas.zoom('fit-viewport', 'auto');
      } else {
        viewer.get('zoomScroll').stepZoom(how === 'in' ? 1 : -1);
      }
    });
  });
}

async function open(widget) {
  const labels = JSON.parse(widget.getAttribute('data-labels') || '{}');
  const container = widget.querySelector('.diagram-canvas');
  const panel = widget.querySelector('.diagram-details');
  const viewer = new NavigatedViewer({ container, moddleExtensions });
  try {
    const response = await fetch(widget.getAttribute('data-source'), {
      credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (!response.ok) {
      throw new Error(`${response.status}`);
    }
    const data = await response.json();
    const { warnings } = await viewer.importXML(data.bpmn);
    viewer.get('canvas').zoom('fit-viewport', 'auto');
    mark(viewer, data);
    wireToolbar(widget, viewer);
    viewer.get('eventBus').on('element.click', (event) => {
      if (event.element.type !== 'bpmn:Process' && event.element.type !== 'bpmn:Collaboration') {
        showDetails(panel, labels, event.element, data);
      }
    });
    widget.setAttribute('data-warnings', String(warnings.length));
    widget.setAttribute('data-loaded', 'true');
  } catch (error) {
    panel.replaceChildren(text('p', 'field-error', `${labels.failed || 'Error'} (${error.message})`));
    widget.setAttribute('data-loaded', 'error');
  }
}

document.querySelectorAll("[data-bpmn-diagram]:not([data-opened])").forEach((widget) => {
  widget.setAttribute("data-opened", "true");
  open(widget);
});
