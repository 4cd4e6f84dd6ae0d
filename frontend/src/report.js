// Draws a validation report: every problem with its element, line, rule and message.
function cell(row, content) {
  const td = document.createElement('td');
  if (content instanceof Node) {
    td.appendChild(content);
  } else {
    td.textContent = content === null || content === undefined ? '—' : String(content);
  }
  row.appendChild(td);
}

export function renderReport(box, report, labels, onSelect) {
  box.replaceChildren();
  box.setAttribute('data-state', report.ok ? 'ok' : 'problems');
  box.setAttribute('data-report-ok', String(Boolean(report.ok)));
  const heading = document.createElement('p');
  heading.className = report.ok ? 'alert success' : 'alert error';
  heading.setAttribute('role', 'status');
  heading.textContent = report.ok ? labels.clean : `${labels.problems} (${report.problems.length})`;
  box.appendChild(heading);
  if (report.ok) {
    return;
  }
  const table = document.createElement('table');
  table.className = 'list compact problems';
  const head = table.createTHead().insertRow();
  for (const title of [labels.element, labels.line, labels.rule, labels.message]) {
    const th = document.createElement('th');
    th.textContent = title;
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const problem of report.problems) {
    const row = body.insertRow();
    row.setAttribute('data-rule', problem.rule);
    if (problem.element) {
      const link = document.createElement('button');
      link.type = 'button';
      link.className = 'linkish';
      link.textContent = problem.element;
      link.addEventListener('click', () => onSelect(problem.element));
      cell(row, link);
    } else {
      cell(row, null);
    }
    cell(row, problem.line);
    cell(row, problem.rule);
    cell(row, problem.message);
  }
  box.appendChild(table);
}
