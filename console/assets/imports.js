// The imports page: start an import, watch every import's progress live,
// stop or retry one, and list an import's failures.
import * as api from './api.js';
import { h, fmtTime, fmtInt, storeID } from './dom.js';

const running = new Set(['INITIALIZING', 'IN_PROGRESS']);

export function importsPage(root, ctx) {
  let alive = true;
  const msg = h('p', { class: 'msg', role: 'status', id: 'imports-msg' });
  const rows = new Map(); // import id -> {tr, cells}
  const tbody = h('tbody');
  const failures = h('section', { id: 'failures', 'aria-live': 'polite' });

  const kind = h('select', { id: 'import-kind' },
    h('option', { value: 's3' }, 'S3 bucket (s3://)'),
    h('option', { value: 'file' }, 'Folder on the server (file://)'));
  const uri = h('input', { id: 'import-uri', required: true, size: 40, placeholder: 's3://bucket/prefix', spellcheck: 'false' });
  const bucketRegion = h('input', { id: 'import-bucket-region', required: true, size: 12, value: api.getRegion() });
  const role = h('input', { id: 'import-role', required: true, size: 44, spellcheck: 'false', value: `arn:aws:iam::${ctx.account}:role/ctlake-import` });
  const dest = h('select', { id: 'import-destination', required: true });
  const startTime = h('input', { id: 'import-start', type: 'datetime-local', step: 1 });
  const endTime = h('input', { id: 'import-end', type: 'datetime-local', step: 1 });
  kind.addEventListener('change', () => { uri.placeholder = kind.value === 's3' ? 's3://bucket/prefix' : 'file:///absolute/folder/'; });
  const form = h('form', { class: 'card', id: 'start-import' },
    h('h2', {}, 'Start an import'),
    h('div', { class: 'fields' },
      h('label', {}, 'Source', kind),
      h('label', {}, 'Location URI', uri),
      h('label', {}, 'Bucket region', bucketRegion),
      h('label', {}, 'Bucket access role ARN', role),
      h('label', {}, 'Into event data store', dest),
      h('label', {}, 'Start event time (UTC, optional)', startTime),
      h('label', {}, 'End event time (UTC, optional)', endTime),
      h('button', { type: 'submit', id: 'start-import-submit' }, 'Start import')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const input = {
      Destinations: [dest.value],
      ImportSource: { S3: { S3LocationUri: uri.value.trim(), S3BucketRegion: bucketRegion.value.trim(), S3BucketAccessRoleArn: role.value.trim() } },
    };
    // datetime-local has no zone: the console reads it as UTC, as the label says.
    if (startTime.value) input.StartEventTime = Date.parse(startTime.value + 'Z') / 1000;
    if (endTime.value) input.EndEventTime = Date.parse(endTime.value + 'Z') / 1000;
    await act((out) => `Started import ${out.ImportId}.`, () => api.call('StartImport', input));
  });

  root.append(h('h1', {}, 'Imports'), form, msg,
    h('div', { class: 'toolbar' }, h('button', { type: 'button', class: 'secondary', onclick: () => nudge() }, 'Refresh')),
    h('div', { class: 'table-wrap' }, h('table', { id: 'imports-table' },
      h('caption', {}, 'Imports in ', api.getRegion(), ', newest first; running ones update every second'),
      h('thead', {}, h('tr', {}, ['Import', 'Status', 'Source', 'Into', 'Prefixes', 'Files', 'Events', 'Failed', 'Updated', 'Actions']
        .map((t) => h('th', { scope: 'col' }, t)))),
      tbody)),
    failures);

  async function act(done, fn) {
    msg.className = 'msg';
    msg.textContent = 'Working…';
    try {
      msg.textContent = done(await fn());
    } catch (e) {
      msg.className = 'msg error';
      msg.textContent = `${e.code}: ${e.message}`;
    }
    nudge();
  }

  async function loadStores() {
    try {
      const items = await api.listAll('ListEventDataStores', {}, 'EventDataStores');
      dest.replaceChildren(...items.map((it) => h('option', { value: it.EventDataStoreArn }, `${it.Name} (${storeID(it.EventDataStoreArn)})`)));
    } catch (e) {
      msg.className = 'msg error';
      msg.textContent = `Could not list the stores: ${e.code}: ${e.message}`;
    }
  }

  function row(imp) {
    let r = rows.get(imp.ImportId);
    if (!r) {
      const cell = (cls) => h('td', { class: cls });
      r = { tr: h('tr', { 'data-import-id': imp.ImportId }), id: cell('mono'), status: cell('status'), source: cell('mono'), into: cell('mono'),
        prefixes: cell('prefixes'), files: cell('num files'), events: cell('num events'), failed: cell('num failed'), updated: cell('updated'), actions: cell('actions'),
        bar: h('progress', { 'aria-label': 'Prefixes completed' }), barText: h('span', { class: 'muted' }) };
      r.id.textContent = imp.ImportId;
      r.prefixes.append(r.bar, ' ', r.barText);
      r.tr.append(r.id, r.status, r.source, r.into, r.prefixes, r.files, r.events, r.failed, r.updated, r.actions);
      r.notes = h('tr', { class: 'import-notes', 'data-notes-for': imp.ImportId, hidden: true });
      rows.set(imp.ImportId, r);
    }
    // What a finished import passed over and why (GetImportNotes, a ctlake
    // extension): an import that found nothing must say so.
    const notes = imp.Notes || [];
    r.notes.hidden = notes.length === 0;
    r.notes.replaceChildren(h('td', { colspan: 10, class: 'msg warn' }, h('strong', {}, 'Skipped: '),
      h('ul', {}, notes.map((n) => h('li', {}, n)))));
    const st = imp.ImportStatistics || {};
    const found = st.PrefixesFound || 0, done = st.PrefixesCompleted || 0;
    r.tr.dataset.status = imp.ImportStatus;
    r.status.textContent = imp.ImportStatus;
    r.status.className = 'status status-' + imp.ImportStatus;
    r.source.textContent = imp.ImportSource?.S3?.S3LocationUri || '';
    r.into.textContent = (imp.Destinations || []).map(storeID).join(', ');
    if (found > 0) {
      r.bar.max = found;
      r.bar.value = done;
    } else if (running.has(imp.ImportStatus)) {
      r.bar.removeAttribute('value'); // indeterminate until the prefixes are listed
    } else {
      r.bar.max = 1;
      r.bar.value = 0;
    }
    r.barText.textContent = `${fmtInt(done)} / ${fmtInt(found)}`;
    r.files.textContent = fmtInt(st.FilesCompleted || 0);
    r.events.textContent = fmtInt(st.EventsCompleted || 0);
    r.failed.textContent = fmtInt(st.FailedEntries || 0);
    r.updated.textContent = fmtTime(imp.UpdatedTimestamp);
    const key = imp.ImportStatus + ':' + (st.FailedEntries || 0);
    if (r.actionsKey !== key) { // rebuilt only on change, so focus stays put while polling
      r.actionsKey = key;
      const b = (label, cls, fn) => h('button', { type: 'button', class: cls, onclick: fn }, label);
      r.actions.replaceChildren(...[
        b('Failures', 'secondary failures-button', () => showFailures(imp.ImportId)),
        running.has(imp.ImportStatus) && b('Stop', 'danger', () => act(() => `Stopping ${imp.ImportId}.`, () => api.call('StopImport', { ImportId: imp.ImportId }))),
        ['FAILED', 'STOPPED'].includes(imp.ImportStatus) && b('Retry', 'secondary', () => act(() => `Retrying ${imp.ImportId}.`, () => api.call('StartImport', { ImportId: imp.ImportId }))),
      ].filter(Boolean));
    }
    return [r.tr, r.notes];
  }

  const final = new Map(); // finished imports do not change: fetched once
  async function refresh() {
    const list = await api.listAll('ListImports', {}, 'Imports');
    list.sort((a, b) => (b.CreatedTimestamp || 0) - (a.CreatedTimestamp || 0));
    const details = await Promise.all(list.map(async (it) => {
      if (final.has(it.ImportId)) return final.get(it.ImportId);
      const d = await api.call('GetImport', { ImportId: it.ImportId });
      if (!running.has(d.ImportStatus)) {
        d.Notes = (await api.call('GetImportNotes', { ImportId: it.ImportId })).Notes;
        final.set(d.ImportId, d);
      }
      return d;
    }));
    if (!alive) return false;
    tbody.replaceChildren(...details.flatMap(row));
    if (!details.length) tbody.replaceChildren(h('tr', {}, h('td', { colspan: 10, class: 'muted' }, 'No import in this region yet.')));
    return details.some((d) => running.has(d.ImportStatus));
  }

  // poll refreshes every second while an import runs, every 5 s otherwise;
  // nudge makes it refresh at once (after a start, stop or retry).
  let wake = () => {};
  const nudge = () => wake();
  async function poll() {
    while (alive) {
      let busy = false;
      try {
        busy = await refresh();
      } catch (e) {
        msg.className = 'msg error';
        msg.textContent = `Could not list the imports: ${e.code}: ${e.message}`;
      }
      await new Promise((resolve) => { wake = resolve; setTimeout(resolve, busy ? 1000 : 5000); });
    }
  }

  async function showFailures(id) {
    failures.replaceChildren(h('h2', {}, 'Failures of import ', h('code', {}, id)), h('p', {}, 'Loading…'));
    try {
      const items = await api.listAll('ListImportFailures', { ImportId: id }, 'Failures');
      const table = items.length
        ? h('div', { class: 'table-wrap' }, h('table', { id: 'failures-table' },
          h('thead', {}, h('tr', {}, ['Location', 'Status', 'Error type', 'Message', 'Updated'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, items.map((f) => h('tr', {},
            h('td', { class: 'mono' }, f.Location), h('td', {}, f.Status), h('td', {}, f.ErrorType),
            h('td', {}, f.ErrorMessage), h('td', {}, fmtTime(f.LastUpdatedTime)))))))
        : h('p', { class: 'muted' }, 'This import has no failures.');
      failures.replaceChildren(h('h2', {}, 'Failures of import ', h('code', {}, id)), table);
    } catch (e) {
      failures.replaceChildren(h('p', { class: 'error' }, `${e.code}: ${e.message}`));
    }
  }

  loadStores();
  poll();
  return () => { alive = false; nudge(); };
}
