// Charts of a query result, drawn as inline SVG: a bar chart when the
// result is a text label and a number, a time chart when the label is a
// time bucket (a timestamp or date as text).
import { s } from './dom.js';
import { isNumeric } from './table.js';

const timePattern = /^\d{4}-\d{2}-\d{2}([ T]\d{2}(:\d{2}(:\d{2}(\.\d+)?)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;
const maxBars = 40;

// chartFor returns an SVG chart of the result, or null when its shape has none.
export function chartFor(columns, rows) {
  if (columns.length !== 2 || rows.length === 0) return null;
  const num = [0, 1].filter((i) => isNumeric(rows, i));
  if (num.length !== 1) return null;
  const v = num[0], l = 1 - v;
  const points = rows.map((r) => ({ label: r[l] == null ? 'NULL' : r[l], value: Number(r[v] || 0) }));
  if (points.every((p) => timePattern.test(p.label))) return timeChart(points, columns[l], columns[v]);
  return barChart(points, columns[l], columns[v]);
}

function barChart(all, labelName, valueName) {
  const points = all.slice(0, maxBars);
  const rowH = 22, labelW = 320, barW = 440, width = labelW + barW + 80;
  const max = Math.max(1, ...points.map((p) => p.value));
  const height = points.length * rowH + 30;
  const title = `Bar chart of ${valueName} by ${labelName}` + (all.length > maxBars ? ` (first ${maxBars} of ${all.length} rows)` : '');
  return s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title, class: 'bar-chart' },
    s('title', {}, title),
    points.map((p, i) => {
      const y = 10 + i * rowH, w = Math.max(1, (p.value / max) * barW);
      const shown = p.label.length > 48 ? '…' + p.label.slice(-47) : p.label;
      return s('g', {},
        s('title', {}, `${p.label}: ${p.value}`),
        s('text', { x: labelW - 8, y: y + 15, 'text-anchor': 'end' }, shown),
        s('rect', { class: 'bar', x: labelW, y: y + 2, width: w.toFixed(1), height: rowH - 6 }),
        s('text', { x: labelW + w + 6, y: y + 15 }, String(p.value)));
    }),
    s('line', { class: 'axis', x1: labelW, x2: labelW, y1: 6, y2: height - 16 }));
}

// parseTime reads a time bucket as the API prints it; without a zone it is UTC.
function parseTime(label) {
  let t = label.replace(' ', 'T');
  if (t.length === 10) t += 'T00:00:00';
  else if (t.length === 13) t += ':00';
  if (!/(Z|[+-]\d{2}(:?\d{2})?)$/.test(t.slice(10))) t += 'Z';
  return Date.parse(t);
}

function timeChart(points, labelName, valueName) {
  const pts = points.map((p) => ({ ...p, t: parseTime(p.label) }))
    .filter((p) => !Number.isNaN(p.t)).sort((a, b) => a.t - b.t);
  if (!pts.length) return null;
  const width = 840, height = 300, left = 60, right = 20, top = 16, bottom = 40;
  const t0 = pts[0].t, t1 = pts[pts.length - 1].t;
  const max = Math.max(1, ...pts.map((p) => p.value));
  const x = (t) => left + (t1 === t0 ? 0.5 : (t - t0) / (t1 - t0)) * (width - left - right);
  const y = (v) => top + (1 - v / max) * (height - top - bottom);
  const title = `Time chart of ${valueName} by ${labelName}`;
  return s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title, class: 'time-chart' },
    s('title', {}, title),
    s('line', { class: 'axis', x1: left, x2: width - right, y1: y(0), y2: y(0) }),
    s('line', { class: 'axis', x1: left, x2: left, y1: top, y2: y(0) }),
    s('text', { x: left - 6, y: top + 4, 'text-anchor': 'end' }, String(max)),
    s('text', { x: left - 6, y: y(0) + 4, 'text-anchor': 'end' }, '0'),
    s('text', { x: left, y: height - 12 }, pts[0].label),
    s('text', { x: width - right, y: height - 12, 'text-anchor': 'end' }, pts[pts.length - 1].label),
    s('polyline', { class: 'line', points: pts.map((p) => `${x(p.t).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ') }),
    pts.map((p) => s('circle', { class: 'point', cx: x(p.t).toFixed(1), cy: y(p.value).toFixed(1), r: 3 },
      s('title', {}, `${p.label}: ${p.value}`))));
}
