// Query results: a table sortable by any column (the headers are buttons,
// so the keyboard sorts too) and its CSV form.
import { h } from './dom.js';

const numberPattern = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

// isNumeric says whether every non-null value of column i is a number.
export function isNumeric(rows, i) {
  let seen = false;
  for (const r of rows) {
    if (r[i] == null || r[i] === '') continue;
    if (!numberPattern.test(r[i])) return false;
    seen = true;
  }
  return seen;
}

// resultTable returns the table of columns and rows (arrays of strings or null).
export function resultTable(columns, rows) {
  const numeric = columns.map((_, i) => isNumeric(rows, i));
  const tbody = h('tbody');
  const heads = columns.map((c, i) => h('th', { scope: 'col', class: numeric[i] ? 'num' : null, 'aria-sort': 'none' },
    h('button', { type: 'button', onclick: () => sortBy(i) }, c)));
  let order = rows.map((_, i) => i);
  let sorted = { col: -1, dir: 0 };

  function render() {
    tbody.replaceChildren(...order.map((k) => h('tr', {}, rows[k].map((v, i) =>
      h('td', { class: numeric[i] ? 'num' : null }, v == null ? h('span', { class: 'muted' }, 'NULL') : v)))));
  }

  // sortBy sorts by column i, ascending first, then descending. NULLs go last.
  function sortBy(i) {
    const dir = sorted.col === i && sorted.dir === 1 ? -1 : 1;
    sorted = { col: i, dir };
    const cmp = numeric[i]
      ? (a, b) => Number(a) - Number(b)
      : (a, b) => a.localeCompare(b, 'en');
    order = rows.map((_, k) => k).sort((x, y) => {
      const a = rows[x][i], b = rows[y][i];
      if (a == null || b == null) return (a == null) - (b == null);
      return dir * cmp(a, b) || x - y;
    });
    heads.forEach((th, k) => th.setAttribute('aria-sort', k === i ? (dir === 1 ? 'ascending' : 'descending') : 'none'));
    render();
  }
  render();
  return h('div', { class: 'table-wrap' }, h('table', { id: 'result-table' },
    h('caption', {}, `${rows.length} row${rows.length === 1 ? '' : 's'}; click a column header to sort`),
    h('thead', {}, h('tr', {}, heads)), tbody));
}

// toCSV writes RFC 4180 CSV: a header line, then one line per row; NULL is empty.
export function toCSV(columns, rows) {
  const field = (v) => {
    if (v == null) return '';
    const t = String(v);
    return /[",\r\n]/.test(t) ? '"' + t.replaceAll('"', '""') + '"' : t;
  };
  return [columns, ...rows].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}
