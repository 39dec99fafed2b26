// steward pages: one helper to call stewardd and one to build elements
// (text only: nothing from the server is parsed as HTML).
export async function api(method, path, body, key) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (key) headers['Authorization'] = 'Bearer ' + key;
  const res = await fetch(path, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  const type = res.headers.get('Content-Type') || '';
  if (type.startsWith('application/json')) data = await res.json();
  else data = await res.text();
  if (!res.ok) {
    const msg = data && data.error ? data.error.message : String(res.status);
    const err = new Error(msg);
    err.status = res.status;
    throw err;
  }
  return data;
}

export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'on') for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

export function say(box, text, kind) {
  box.hidden = false;
  box.className = 'status' + (kind ? ' ' + kind : '');
  box.textContent = text;
}

// The privacy pages' header: who is responsible (the controller), how to
// reach its data protection officer, and the notice, from the policy.
export async function showController() {
  const box = document.getElementById('controller');
  if (!box) return;
  let c;
  try {
    c = await api('GET', '/privacy/api/controller');
  } catch {
    return; // the page works without it
  }
  const notice = c.notice.url
    ? el('a', { href: c.notice.url }, c.notice.title || 'Privacy notice')
    : (c.notice.title || 'Privacy notice');
  box.replaceChildren(
    el('span', { class: 'who' }, c.name, ', ', c.address), ' · ',
    'Data protection officer: ', el('a', { href: 'mailto:' + c.dpo.email }, c.dpo.email), ' · ',
    notice, ` (version ${c.notice.version})`);
  box.hidden = false;
}
