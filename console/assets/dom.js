// Small DOM helpers. Text always goes in as text nodes, never as HTML, so
// nothing an event record holds can become markup or script.

const props = new Set(['value', 'checked', 'disabled', 'selected', 'hidden', 'required']);

// h builds an element: h('button', {type: 'button', onclick: fn}, 'Save').
export function h(tag, attrs = {}, ...children) {
  return fill(document.createElement(tag), attrs, children, false);
}

// s builds an SVG element.
export function s(tag, attrs = {}, ...children) {
  return fill(document.createElementNS('http://www.w3.org/2000/svg', tag), attrs, children, true);
}

function fill(el, attrs, children, isSVG) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (!isSVG && props.has(k)) el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

// fmtTime prints an API timestamp (epoch seconds) in UTC.
export function fmtTime(sec) {
  if (sec == null) return '';
  return new Date(sec * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

// fmtInt prints a count with thousands separators (2,900).
export function fmtInt(n) {
  return n == null ? '' : Number(n).toLocaleString('en-US');
}

// storeID is the id at the end of an event data store ARN.
export function storeID(arn) {
  return String(arn || '').split('/').pop();
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
