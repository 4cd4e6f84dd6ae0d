// Reads each BPMN file named on the command line with bpmn-moddle (plus our spiffworkflow descriptor),
// lints it with bpmnlint's recommended rules and writes it back out; prints one JSON report per file.
// Run by tests/frontend/test_diagrams.py, which also imports every diagram into bpmn-js in Chromium.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BpmnModdle } from 'bpmn-moddle';

const require = createRequire(import.meta.url);
const { Linter } = require('bpmnlint');
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver');
const spiffworkflow = JSON.parse(readFileSync(new URL('../src/spiffworkflow.json', import.meta.url)));
const SPIFF_URI = spiffworkflow.uri;

function genericSpiffElements(root) {
  const found = [];
  const seen = new Set();
  function visit(element) {
    if (!element || typeof element !== 'object' || seen.has(element)) {
      return;
    }
    seen.add(element);
    const descriptor = element.$descriptor;
    if (descriptor && descriptor.isGeneric && String(element.$type).startsWith('spiffworkflow:')) {
      found.push(element.$type);
    }
    for (const key of Object.keys(element)) {
      if (key.startsWith('$') && key !== '$children') {
        continue;
      }
      const value = element[key];
      if (Array.isArray(value)) {
        value.forEach(visit);
      } else if (value && typeof value === 'object' && value.$type) {
        visit(value);
      }
    }
  }
  visit(root);
  return found;
}

async function check(file) {
  const moddle = new BpmnModdle({ spiffworkflow });
  const xml = readFileSync(file, 'utf8');
  const { rootElement, warnings } = await moddle.fromXML(xml);
  const linter = new Linter({ config: { extends: 'bpmnlint:recommended' }, resolver: new NodeResolver() });
  const results = await linter.lint(rootElement);
  const lint = [];
  for (const [rule, reports] of Object.entries(results)) {
    for (const report of reports) {
      lint.push({ rule, id: report.id, message: report.message, category: report.category });
    }
  }
  const { xml: written } = await moddle.toXML(rootElement, { format: true });
  return {
    file,
    warnings: warnings.map((w) => w.message),
    lint,
    generic: genericSpiffElements(rootElement),
    namespace: SPIFF_URI,
    roundtrip: written,
  };
}

const reports = [];
for (const file of process.argv.slice(2)) {
  reports.push(await check(file));
}
process.stdout.write(JSON.stringify(reports));
