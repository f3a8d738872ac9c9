// The event data stores page: list, create, stop/start ingestion,
// termination protection, delete and restore.
import * as api from './api.js';
import { h, fmtTime, storeID } from './dom.js';

export function storesPage(root) {
  const msg = h('p', { class: 'msg', role: 'status', id: 'stores-msg' });
  const tbody = h('tbody');
  const name = h('input', { id: 'store-name', required: true, pattern: '[a-zA-Z0-9._\\-]{3,128}', title: '3 to 128 letters, digits, periods, underscores or hyphens' });
  const retention = h('input', { id: 'store-retention', type: 'number', min: 7, max: 3653, value: '2557', required: true });
  const protection = h('input', { id: 'store-protection', type: 'checkbox', checked: true });
  const ingest = h('input', { id: 'store-ingestion', type: 'checkbox', checked: true });
  const form = h('form', { class: 'card', id: 'create-store' },
    h('h2', {}, 'Create an event data store'),
    h('div', { class: 'fields' },
      h('label', {}, 'Name', name),
      h('label', {}, 'Retention (days, 7–3653)', retention),
      h('label', { class: 'check' }, protection, 'Termination protection'),
      h('label', { class: 'check' }, ingest, 'Start ingestion'),
      h('button', { type: 'submit', id: 'create-store-submit' }, 'Create')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    await act(`Created ${name.value}.`, () => api.call('CreateEventDataStore', {
      Name: name.value.trim(),
      RetentionPeriod: Number(retention.value),
      TerminationProtectionEnabled: protection.checked,
      StartIngestion: ingest.checked,
    }));
    name.value = '';
  });

  root.append(
    h('h1', {}, 'Event data stores'),
    form, msg,
    h('div', { class: 'table-wrap' }, h('table', { id: 'stores-table' },
      h('caption', {}, 'Stores in ', api.getRegion(), ' (deleted stores stay PENDING_DELETION for 7 days and can be restored)'),
      h('thead', {}, h('tr', {}, ['Name', 'Id', 'Status', 'Retention (days)', 'Termination protection', 'Created', 'Actions']
        .map((t) => h('th', { scope: 'col' }, t)))),
      tbody)));

  // act runs one change, says how it went, and reloads the list.
  async function act(done, fn) {
    msg.className = 'msg';
    msg.textContent = 'Working…';
    try {
      await fn();
      msg.textContent = done;
    } catch (e) {
      msg.className = 'msg error';
      msg.textContent = `${e.code}: ${e.message}`;
    }
    await load();
  }

  function actions(st) {
    const ref = { EventDataStore: st.EventDataStoreArn };
    const out = [];
    const button = (label, cls, fn) => h('button', { type: 'button', class: cls, 'data-action': label.toLowerCase().replaceAll(' ', '-'), onclick: fn }, label);
    if (st.Status === 'PENDING_DELETION') {
      out.push(button('Restore', 'secondary', () => act(`Restored ${st.Name}.`, () => api.call('RestoreEventDataStore', ref))));
      return out;
    }
    if (st.Status === 'ENABLED') {
      out.push(button('Stop ingestion', 'secondary', () => act(`Stopped ingestion into ${st.Name}.`, () => api.call('StopEventDataStoreIngestion', ref))));
    } else if (st.Status === 'STOPPED_INGESTION') {
      out.push(button('Start ingestion', 'secondary', () => act(`Started ingestion into ${st.Name}.`, () => api.call('StartEventDataStoreIngestion', ref))));
    }
    const on = st.TerminationProtectionEnabled;
    out.push(button(on ? 'Allow deletion' : 'Protect from deletion', 'secondary', () => act(
      `Termination protection of ${st.Name} is ${on ? 'off' : 'on'}.`,
      () => api.call('UpdateEventDataStore', { ...ref, TerminationProtectionEnabled: !on }))));
    // Deleting takes two clicks: the first one only arms the button.
    const del = button('Delete', 'danger', () => {
      if (del.dataset.armed) {
        act(`Deleted ${st.Name}; it can be restored for 7 days.`, () => api.call('DeleteEventDataStore', ref));
        return;
      }
      del.dataset.armed = '1';
      del.textContent = 'Confirm delete';
    });
    del.addEventListener('blur', () => { delete del.dataset.armed; del.textContent = 'Delete'; });
    out.push(del);
    return out;
  }

  async function load() {
    try {
      const items = await api.listAll('ListEventDataStores', {}, 'EventDataStores');
      const stores = await Promise.all(items.map((it) => api.call('GetEventDataStore', { EventDataStore: it.EventDataStoreArn })));
      tbody.replaceChildren(...stores.map((st) => h('tr', { 'data-store-id': storeID(st.EventDataStoreArn) },
        h('td', {}, st.Name),
        h('td', { class: 'mono' }, storeID(st.EventDataStoreArn)),
        h('td', { class: 'status-' + st.Status }, st.Status),
        h('td', { class: 'num' }, st.RetentionPeriod),
        h('td', {}, st.TerminationProtectionEnabled ? 'on' : 'off'),
        h('td', {}, fmtTime(st.CreatedTimestamp)),
        h('td', { class: 'actions' }, actions(st)))));
      if (!stores.length) tbody.replaceChildren(h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'No event data store in this region yet.')));
    } catch (e) {
      msg.className = 'msg error';
      msg.textContent = `Could not list the stores: ${e.code}: ${e.message}`;
    }
  }
  load();
}
