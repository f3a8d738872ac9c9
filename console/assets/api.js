// The console's client of ctlake's API. Calls go to POST /console/api with
// the session cookie (HttpOnly: script never sees it) and the CSRF token
// from sign-in, held here in memory only. The secret is sent once, to sign
// in, and never kept.

const target = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.';
let csrfToken = '';
let region = sessionStorage.getItem('ctlake.region') || 'us-east-1';
let sessionEnded = () => {};

export class APIError extends Error {
  constructor(code, message, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

async function send(method, url, headers, body) {
  const resp = await fetch(url, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
  const text = await resp.text();
  let data = {};
  if (text) {
    try { data = JSON.parse(text); } catch { data = { message: text }; }
  }
  if (!resp.ok) {
    const code = String(data.__type || '').split('#').pop() || 'HTTP' + resp.status;
    throw new APIError(code, data.message || data.Message || resp.statusText, resp.status);
  }
  return data;
}

// sessionState asks whether this browser is signed in (it may be, after a reload).
export async function sessionState() {
  const st = await send('GET', '/console/session', {});
  csrfToken = st.csrfToken || '';
  return st;
}

export async function signIn(accessKeyId, secretAccessKey) {
  const st = await send('POST', '/console/session', { 'Content-Type': 'application/json' },
    JSON.stringify({ accessKeyId, secretAccessKey }));
  csrfToken = st.csrfToken || '';
  return st;
}

export async function signOut() {
  try {
    await send('DELETE', '/console/session', { 'X-Ctlake-Csrf': csrfToken });
  } finally {
    csrfToken = '';
  }
}

// onSessionEnd registers what to do when the server says the session is gone.
export function onSessionEnd(fn) { sessionEnded = fn; }

// call runs a CloudTrail operation, e.g. call('ListEventDataStores', {}).
export async function call(operation, input = {}) {
  try {
    return await send('POST', '/console/api', {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': target + operation,
      'X-Ctlake-Csrf': csrfToken,
      'X-Ctlake-Region': region,
    }, JSON.stringify(input));
  } catch (e) {
    if (e.code === 'MissingAuthenticationTokenException' || e.code === 'InvalidCSRFTokenException') sessionEnded(e);
    throw e;
  }
}

// listAll follows NextToken and returns every item of the list named key.
export async function listAll(operation, input, key) {
  const items = [];
  let token;
  do {
    const out = await call(operation, token ? { ...input, NextToken: token } : input);
    items.push(...(out[key] || []));
    token = out.NextToken;
  } while (token);
  return items;
}

export function getRegion() { return region; }

export function setRegion(r) {
  region = r;
  sessionStorage.setItem('ctlake.region', r);
}
