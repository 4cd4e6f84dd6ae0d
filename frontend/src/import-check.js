// Used by the test suite: import a diagram into the viewer and the modeler and report the warnings.
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import Modeler from 'bpmn-js/lib/Modeler';
import { moddleExtensions } from './moddle';

async function warningsOf(Kind, xml) {
  const container = document.createElement('div');
  container.style.width = '1200px';
  container.style.height = '800px';
  document.body.appendChild(container);
  const instance = new Kind({ container, moddleExtensions });
  try {
    const { warnings } = await instance.importXML(xml);
    const shapes = instance.get('elementRegistry').getAll().length;
    const { xml: saved } = await instance.saveXML({ format: true });
    return { warnings: warnings.map((w) => String(w.message || w)), shapes, saved };
  } catch (error) {
    return { warnings: [`import failed: ${error.message}`], shapes: 0, saved: '' };
  } finally {
    instance.destroy();
    container.remove();
  }
}

window.yikatongImportCheck = async function importCheck(xml) {
  return {
    viewer: await warningsOf(NavigatedViewer, xml),
    modeler: await warningsOf(Modeler, xml),
  };
};
