// The query page: a store picker, the Lake schema beside the editor, a
// history of this tab's queries, and the results as a sortable table, a
// CSV download and a chart.
import * as api from './api.js';
import { h, fmtInt, storeID, sleep } from './dom.js';
import { resultTable, toCSV } from './table.js';
import { chartFor } from './chart.js';

const finalStatus = new Set(['FINISHED', 'FAILED', 'CANCELLED', 'TIMED_OUT']);
const maxRows = 10000;
const historyKey = 'ctlake.history';

// History is kept in sessionStorage: statements and query ids only, which
// are no secret, and gone when the tab closes.
function loadHistory() {
  try { return JSON.parse(sessionStorage.getItem(historyKey)) || []; } catch { return []; }
}

function saveHistory(items) {
  sessionStorage.setItem(historyKey, JSON.stringify(items.slice(0, 20)));
}

const defaultSQL = (id) => `SELECT eventName, count(*) AS events\nFROM ${id}\nGROUP BY eventName\nORDER BY events DESC\nLIMIT 20`;

export function queryPage(root) {
  let alive = true;
  let running = null; // the query id being polled
  const store = h('select', { id: 'query-store' });
  const editor = h('textarea', { id: 'query-sql', rows: 9, spellcheck: 'false' });
  const run = h('button', { type: 'button', id: 'query-run' }, 'Run');
  const cancel = h('button', { type: 'button', id: 'query-cancel', class: 'danger', disabled: true }, 'Cancel');
  const status = h('p', { class: 'msg', role: 'status', id: 'query-status' });
  const results = h('section', { id: 'query-results', 'aria-label': 'Results' });
  const history = h('ol', { class: 'history', id: 'query-history' });
  const schema = h('aside', { class: 'schema', 'aria-label': 'Schema' }, h('h2', {}, 'Schema'), h('p', { class: 'muted' }, 'Loading…'));
  let lastStore = '';

  root.append(h('h1', {}, 'Query'),
    h('div', { class: 'query-layout' },
      h('div', {},
        h('div', { class: 'fields' }, h('label', {}, 'Event data store', store)),
        h('label', { for: 'query-sql' }, 'SQL (CloudTrail Lake dialect; Ctrl+Enter runs it)'), editor,
        h('div', { class: 'toolbar' }, run, cancel), status, results,
        h('h2', {}, 'Recent queries in this tab'), history),
      schema));

  store.addEventListener('change', () => {
    const id = store.value;
    if (!editor.value.trim() || (lastStore && editor.value === defaultSQL(lastStore))) editor.value = defaultSQL(id);
    else if (lastStore) editor.value = editor.value.replaceAll(lastStore, id);
    lastStore = id;
  });
  editor.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); runQuery(); }
  });
  run.addEventListener('click', () => runQuery());
  cancel.addEventListener('click', async () => {
    if (!running) return;
    try { await api.call('CancelQuery', { QueryId: running }); } catch (e) { say(`${e.code}: ${e.message}`, true); }
  });

  function say(text, bad) {
    status.className = bad ? 'msg error' : 'msg';
    status.textContent = text;
  }

  function renderHistory() {
    history.replaceChildren(...loadHistory().map((q) => h('li', {},
      h('button', { type: 'button', title: 'Put this statement in the editor', onclick: () => { editor.value = q.sql; editor.focus(); } },
        `${new Date(q.at).toISOString().slice(11, 19)} ${q.status || ''} · ${q.sql.replace(/\s+/g, ' ').slice(0, 90)}`))));
  }

  function remember(queryId, sql, st) {
    const items = loadHistory().filter((q) => q.queryId !== queryId);
    items.unshift({ queryId, sql, store: store.value, status: st, at: Date.now() });
    saveHistory(items);
    renderHistory();
  }

  async function runQuery() {
    const sql = editor.value.trim();
    if (!sql || running) return;
    run.disabled = true;
    results.replaceChildren();
    say('Starting…');
    try {
      const { QueryId } = await api.call('StartQuery', { QueryStatement: sql });
      running = QueryId;
      cancel.disabled = false;
      remember(QueryId, sql, 'QUEUED');
      let d;
      for (;;) {
        d = await api.call('DescribeQuery', { QueryId });
        say(`${d.QueryStatus}…`);
        if (finalStatus.has(d.QueryStatus) || !alive) break;
        await sleep(300);
      }
      remember(QueryId, sql, d.QueryStatus);
      if (d.QueryStatus !== 'FINISHED') {
        say(`The query ended ${d.QueryStatus}${d.ErrorMessage ? ': ' + d.ErrorMessage : ''}.`, true);
        return;
      }
      const rows = [];
      let token;
      do {
        const out = await api.call('GetQueryResults', { QueryId, MaxQueryResults: 1000, ...(token ? { NextToken: token } : {}) });
        rows.push(...(out.QueryResultRows || []));
        token = out.NextToken;
      } while (token && rows.length < maxRows && alive);
      const st = d.QueryStatistics || {};
      say(`FINISHED: ${fmtInt(rows.length)} row${rows.length === 1 ? '' : 's'}${token ? ` (the first ${fmtInt(maxRows)})` : ''}, ` +
        `${fmtInt(st.EventsScanned)} events scanned, ${fmtInt(st.ExecutionTimeInMillis)} ms.`);
      showResults(QueryId, rows);
    } catch (e) {
      say(`${e.code}: ${e.message}`, true);
    } finally {
      running = null;
      run.disabled = false;
      cancel.disabled = true;
    }
  }

  // showResults turns the API's rows (arrays of one-key objects, in SELECT
  // order) into columns and string values.
  function showResults(queryId, apiRows) {
    if (!apiRows.length) {
      results.replaceChildren(h('p', { class: 'muted' }, 'No rows.'));
      return;
    }
    const columns = apiRows[0].map((o) => Object.keys(o)[0]);
    const rows = apiRows.map((r) => r.map((o) => Object.values(o)[0]));
    const download = h('button', { type: 'button', class: 'secondary', id: 'query-csv' }, 'Download CSV');
    download.addEventListener('click', () => {
      const url = URL.createObjectURL(new Blob([toCSV(columns, rows)], { type: 'text/csv' }));
      const a = h('a', { href: url, download: `ctlake-query-${queryId}.csv` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    });
    const chart = chartFor(columns, rows);
    results.replaceChildren(...[
      h('div', { class: 'toolbar' }, download),
      chart && h('figure', { class: 'chart', id: 'query-chart' }, chart),
      resultTable(columns, rows),
    ].filter(Boolean));
  }

  async function loadStores() {
    try {
      const items = await api.listAll('ListEventDataStores', {}, 'EventDataStores');
      store.replaceChildren(...items.map((it) => h('option', { value: storeID(it.EventDataStoreArn) }, `${it.Name} (${storeID(it.EventDataStoreArn)})`)));
      if (items.length) store.dispatchEvent(new Event('change'));
      else say('No event data store in this region: create one first.', true);
    } catch (e) {
      say(`Could not list the stores: ${e.code}: ${e.message}`, true);
    }
  }

  async function loadSchema() {
    try {
      const resp = await fetch('/console/assets/schema.json');
      const cols = await resp.json();
      const list = (nodes) => h('ul', {}, nodes.map((n) => h('li', {},
        h('code', {}, n.name), h('span', { class: 'type' }, n.type), n.fields ? list(n.fields) : null)));
      schema.replaceChildren(h('h2', {}, 'Schema'),
        h('p', { class: 'muted' }, 'Columns of CloudTrail event stores (names are case-insensitive; struct fields as userIdentity.arn).'),
        list(cols));
    } catch (e) {
      schema.replaceChildren(h('h2', {}, 'Schema'), h('p', { class: 'error' }, 'Could not load the schema: ' + e.message));
    }
  }

  renderHistory();
  loadStores();
  loadSchema();
  return () => { alive = false; };
}
