// The console's entry point: sign-in, the header, and the page router
// (#/stores, #/imports, #/query).
import * as api from './api.js';
import { h } from './dom.js';
import { storesPage } from './stores.js';
import { importsPage } from './imports.js';
import { queryPage } from './query.js';

const pages = { stores: storesPage, imports: importsPage, query: queryPage };
const main = document.getElementById('main');
const top = document.getElementById('top');
let session = null;
let stopPage = null; // the current page's cleanup (it may poll)

function leavePage() {
  if (stopPage) stopPage();
  stopPage = null;
}

function showSignIn(reason) {
  leavePage();
  const shown = document.getElementById('signin-error');
  if (shown) { // several calls may find the session gone at once: keep what was typed
    shown.textContent = reason ? reason.message : '';
    return;
  }
  top.hidden = true;
  session = null;
  const error = h('p', { id: 'signin-error', class: 'error', role: 'alert' }, reason ? reason.message : '');
  // No name attributes: even if the script stopped, the browser would have
  // nothing to put in a URL.
  const keyID = h('input', { id: 'access-key-id', autocomplete: 'username', spellcheck: 'false', required: true });
  const secret = h('input', { id: 'secret-access-key', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', id: 'signin-submit' }, 'Sign in');
  const form = h('form', { id: 'signin', class: 'card', method: 'post', action: '#' },
    h('h1', {}, 'Sign in to ctlake'),
    h('p', { class: 'muted' }, 'Use the access key the server accepts: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in <data>/credentials.env, or CTLAKE_ACCESS_KEY_ID and CTLAKE_SECRET_ACCESS_KEY in its environment.'),
    h('label', { for: 'access-key-id' }, 'Access key id'), keyID,
    h('label', { for: 'secret-access-key' }, 'Secret access key'), secret,
    submit, error);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    submit.disabled = true;
    try {
      session = await api.signIn(keyID.value.trim(), secret.value);
      secret.value = '';
      showApp();
    } catch (e) {
      secret.value = '';
      error.textContent = 'Sign-in refused: ' + e.message;
      secret.focus();
    } finally {
      submit.disabled = false;
    }
  });
  main.replaceChildren(form);
  keyID.focus();
}

function showApp() {
  top.hidden = false;
  document.getElementById('whoami').textContent = session.authRequired
    ? 'Signed in as ' + session.accessKeyId
    : 'No authentication (--no-auth)';
  document.getElementById('signout').hidden = !session.authRequired;
  route();
}

function route() {
  if (!session) return;
  leavePage();
  const name = (location.hash.match(/^#\/(\w+)/) || [])[1];
  const page = pages[name] ? name : 'stores';
  for (const p of Object.keys(pages)) {
    const link = document.getElementById('nav-' + p);
    if (p === page) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const section = h('section', { id: 'page-' + page });
  main.replaceChildren(section);
  stopPage = pages[page](section, { session, account: session.account }) || null;
}

function setupHeader() {
  const region = document.getElementById('region');
  region.value = api.getRegion();
  region.addEventListener('change', () => {
    const v = region.value.trim();
    if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(v)) {
      region.setCustomValidity('A region name such as us-east-1');
      region.reportValidity();
      return;
    }
    region.setCustomValidity('');
    api.setRegion(v);
    route();
  });
  document.getElementById('signout').addEventListener('click', async () => {
    try { await api.signOut(); } catch { /* the session is gone either way */ }
    showSignIn();
  });
  window.addEventListener('hashchange', route);
}

async function boot() {
  setupHeader();
  api.onSessionEnd((e) => showSignIn(e));
  try {
    const st = await api.sessionState();
    if (st.signedIn) {
      session = st;
      showApp();
    } else {
      showSignIn();
    }
  } catch (e) {
    main.replaceChildren(h('p', { class: 'error', role: 'alert' }, 'The console could not reach the server: ' + e.message));
  }
}

boot();
