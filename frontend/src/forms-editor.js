// The JSON editor of each form schema: checks the JSON as it is typed and shows, after a pause, the
// form exactly as role users see it (rendered by the server with the task pages' own form macro).
const PAUSE_MS = 400;

async function preview(editor, config) {
  const textarea = editor.querySelector('textarea.form-json');
  const error = editor.querySelector('.form-json-error');
  const target = editor.querySelector('.form-preview');
  let schema;
  try {
    schema = JSON.parse(textarea.value);
  } catch (problem) {
    error.textContent = `${config.labels.badJson}: ${problem.message}`;
    textarea.setAttribute('aria-invalid', 'true');
    editor.setAttribute('data-json', 'invalid');
    return;
  }
  error.textContent = '';
  textarea.removeAttribute('aria-invalid');
  editor.setAttribute('data-json', 'valid');
  const response = await fetch(config.preview, {
    method: 'POST', credentials: 'same-origin', body: JSON.stringify({ schema }),
    headers: { 'Content-Type': 'application/json', Accept: 'text/html', 'X-CSRFToken': config.csrf },
  });
  target.innerHTML = await response.text();
  editor.setAttribute('data-previewed', String(Number(editor.getAttribute('data-previewed') || 0) + 1));
}

function wire(editor, config) {
  const textarea = editor.querySelector('textarea.form-json');
  let timer = null;
  textarea.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => { preview(editor, config); }, PAUSE_MS);
  });
  preview(editor, config);
}

function addForm(root, config) {
  const input = root.querySelector('input[name="new_form_name"]');
  const name = input.value.trim();
  const error = root.querySelector('.new-form-error');
  const taken = collectForms(root);
  if (!/^[A-Za-z0-9_.-]+\.json$/.test(name) || name in taken) {
    error.textContent = config.labels.badFormName;
    return;
  }
  error.textContent = '';
  const template = root.querySelector('template.form-editor-template');
  const editor = template.content.firstElementChild.cloneNode(true);
  editor.setAttribute('data-form-name', name);
  editor.querySelector('.form-name').textContent = name;
  editor.querySelector('textarea.form-json').value = config.newFormJson;
  root.querySelector('.form-editors').appendChild(editor);
  wire(editor, config);
  input.value = '';
  editor.querySelector('textarea.form-json').focus();
}

export function collectForms(root) {
  const forms = {};
  root.querySelectorAll('.form-editor[data-form-name]').forEach((editor) => {
    forms[editor.getAttribute('data-form-name')] = editor.querySelector('textarea.form-json').value;
  });
  return forms;
}

export function wireForms(root, config) {
  root.querySelectorAll('.form-editors .form-editor').forEach((editor) => wire(editor, config));
  const button = root.querySelector('[data-action="add-form"]');
  button.disabled = false;
  button.addEventListener('click', () => addForm(root, config));
}
