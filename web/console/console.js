import { api, el, say } from '/static/api.js';

const $ = (id) => document.getElementById(id);
let key = sessionStorage.getItem('stw_key') || '';
const call = (method, path, body) => api(method, path, body, key);
const view = () => $('view');
const day = (t) => (t ? t.slice(0, 10) : '');

function fail(e) {
  say($('status'), e.message, 'error');
  if (e.status === 401) logout();
}

/* A table in a region that scrolls sideways (reachable by keyboard, and
 * named by its columns); at phone width each row stacks its cells, each
 * labelled with its column (style.css). */
function table(head, rows, label) {
  for (const tr of [rows].flat())
    [...tr.children].forEach((td, i) => { if (head[i]) td.setAttribute('data-label', head[i]); });
  return el('div', { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': label || head.join(', ') },
    el('table', {},
      el('thead', {}, el('tr', {}, head.map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows)));
}

/* Text that may be wide (an answer, a plan), reachable by keyboard. */
function preformatted(label, text, attrs = {}) {
  return el('pre', { tabindex: 0, role: 'region', 'aria-label': label, ...attrs }, text);
}

/* Words, not the API's values */
const stateWords = {
  received: 'received', verifying: 'waiting for the code', in_progress: 'in progress',
  extended: 'in progress (extended)', completed: 'completed', refused: 'refused', withdrawn: 'withdrawn',
};
const words = (v, table) => (v in table ? table[v] : String(v).replaceAll('_', ' '));

function field(id, label, attrs = {}) {
  return [el('label', { for: id }, label), el('input', { id, ...attrs })];
}

function select(id, label, options) {
  return [el('label', { for: id }, label),
    el('select', { id }, options.map((o) => el('option', { value: o }, o)))];
}

/* ---- the request queue ---- */

async function queue() {
  const { requests } = await call('GET', '/v1/requests');
  requests.sort((a, b) => a.due_at.localeCompare(b.due_at)); /* overdue first */
  const rows = requests.map((r) => el('tr', { class: r.overdue ? 'overdue' : null },
    el('td', {}, el('a', { href: '#request/' + r.id }, r.id)),
    el('td', {}, words(r.type, {})), el('td', {}, r.regulation.toUpperCase()),
    el('td', {}, words(r.state, stateWords)),
    el('td', {}, day(r.due_at)),
    el('td', {}, r.overdue ? `overdue by ${-r.working_days_left} working days`
      : `${r.working_days_left} working days`)));
  view().replaceChildren(el('h2', {}, `Open requests (${requests.length})`),
    requests.length ? table(['Request', 'Type', 'Law', 'State', 'Due', 'Working days left'], rows)
      : el('p', {}, 'No open requests.'));
}

/* A request; failed: what the last action answered, shown over the
 * request as it is now (an erasure that waits shows its systems). */
async function request(id, failed) {
  const r = await call('GET', '/v1/requests/' + encodeURIComponent(id));
  const out = el('div', { role: 'status', 'aria-live': 'polite', hidden: true });
  const act = async (verb, body) => {
    let res;
    try {
      res = await call('POST', `/v1/requests/${encodeURIComponent(id)}/${verb}`, body);
    } catch (e) {
      try { await request(id, e.message); } catch { say(out, e.message, 'error'); }
      return;
    }
    await request(id);
    if (res.answer) {
      view().append(el('h3', {}, 'Answer'),
        preformatted('The answer', typeof res.answer === 'string' ? res.answer : JSON.stringify(res.answer, null, 2)));
    }
  };
  const open = !r.closed_at;
  const buttons = el('div', {},
    r.state === 'verifying' ? [
      ...field('code', 'Verification code', { inputmode: 'numeric' }),
      el('button', { on: { click: () => act('verify', { code: $('code').value.trim() }) } }, 'Verify'),
    ] : null,
    open ? [
      ...field('reason', 'Reason (extend, refuse)'),
      el('div', {},
        ['access', 'portability'].includes(r.type)
          ? select('format', 'Answer format', r.type === 'portability' ? ['json', 'csv'] : ['json', 'html']) : null),
      /* an answer goes only to a requester who proved who they are */
      r.state === 'verifying' ? null
        : el('button', { on: { click: () => act('complete', { format: $('format') ? $('format').value : undefined }) } }, 'Fulfil'),
      el('button', { class: 'secondary', on: { click: () => act('extend', { reason: $('reason').value }) } }, 'Extend'),
      el('button', { class: 'danger', on: { click: () => act('refuse', { reason: $('reason').value }) } }, 'Refuse'),
    ] : null);
  /* (replaceChildren would write a null as the text "null") */
  view().replaceChildren(...[
    el('p', {}, el('a', { href: '#queue' }, '← All requests')),
    el('h2', { id: 'req-h', tabindex: -1 }, `Request ${r.id}`),
    table(['Type', 'Law', 'State', 'Received', 'Due', 'Working days left', 'Subject'], [el('tr', {},
      el('td', {}, words(r.type, {})), el('td', {}, r.regulation.toUpperCase()),
      el('td', { id: 'req-state', 'data-state': r.state }, words(r.state, stateWords)),
      el('td', {}, day(r.received_at)), el('td', {}, day(r.due_at) + (r.extended ? ' (extended)' : '')),
      el('td', { class: r.overdue ? 'overdue' : null }, String(r.working_days_left)),
      el('td', {}, el('a', { href: '#subject/' + r.subject }, r.subject)))]),
    r.outcome ? el('p', { class: 'status ok' }, r.outcome) : null,
    systemsOf(r),
    el('h3', {}, 'Timeline'),
    table(['When', 'State', 'By', 'Reason'], (r.timeline || []).map((t) => el('tr', {},
      el('td', {}, t.at), el('td', {}, words(t.state, stateWords)), el('td', {}, t.actor),
      el('td', {}, t.reason || '')))),
    buttons, out].filter((c) => c !== null));
  /* whoever opened it (a click, the keyboard) continues from its heading */
  $('req-h').focus();
  if (failed) say(out, failed, 'error');
}

/* An erasure's progress in the company's systems (docs/connectors.md):
 * those not done yet, and a warning when the deadline is near. */
function systemsOf(r) {
  const sys = r.systems || [];
  if (!sys.length) return null;
  const waiting = sys.filter((x) => x.state !== 'done');
  const open = !['completed', 'refused', 'withdrawn'].includes(r.state);
  return el('div', {},
    el('h3', {}, 'Systems'),
    waiting.length && open && r.working_days_left <= 5
      ? el('p', { class: 'status error', role: 'alert' },
        `${waiting.length} system${waiting.length === 1 ? '' : 's'} not done yet, ` +
        `and the deadline is in ${r.working_days_left} working days`) : null,
    table(['System', 'State', 'Rows', 'Attempts', 'Next attempt', 'Last failure'],
      sys.map((x) => el('tr', { class: x.state === 'done' ? null : 'overdue' },
        el('td', {}, x.system), el('td', {}, x.state), el('td', {}, String(x.rows)),
        el('td', {}, String(x.attempts)), el('td', {}, x.next_attempt || ''),
        el('td', {}, x.error || '')))));
}

/* ---- subjects ---- */

async function subjects(id) {
  const form = el('form', {},
    ...select('id-type', 'Identifier type', ['email', 'phone', 'msisdn', 'account_id', 'imsi', 'imei', 'ip']),
    ...field('id-value', 'Identifier', { required: true }),
    el('button', { type: 'submit' }, 'Look up'));
  const out = el('div', {});
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const q = `${$('id-type').value}=${encodeURIComponent($('id-value').value.trim())}`;
      const { subjects: ids } = await call('GET', '/v1/subjects?' + q);
      location.hash = '#subject/' + ids[0];
    } catch (e) { say(out, e.status === 404 ? 'No subject holds this identifier.' : e.message, 'error'); }
  });
  view().replaceChildren(el('h2', {}, 'Find a subject'), form, out);
  if (!id) return;
  const s = await call('GET', '/v1/subjects/' + encodeURIComponent(id));
  out.replaceChildren(
    el('h2', {}, `Subject ${s.id}`),
    el('p', {}, `${s.kind} (${s.role})`, s.account ? `, account ${s.account}` : '', `, since ${day(s.created_at)}`),
    el('h3', {}, 'Identifiers'),
    table(['Type', 'Value'], s.identifiers.map((i) => el('tr', {}, el('td', {}, i.type), el('td', {}, i.value)))),
    el('h3', {}, `Records (${s.records.length})`),
    table(['Activity', 'Category', 'Value', 'Collected', 'Due', 'Retention'], s.records.map((r) => el('tr', {},
      el('td', {}, r.activity), el('td', {}, r.category), el('td', {}, r.value), el('td', {}, day(r.collected_at)),
      el('td', {}, r.due ? day(r.due) : 'not yet'), el('td', {}, r.retention || '')))));
}

/* ---- holds ---- */

async function holds() {
  const { holds: list } = await call('GET', '/v1/holds?all=true');
  const out = el('div', { role: 'status', hidden: true });
  const form = el('form', {},
    ...field('h-scope', 'Scope (subject:ID, account:NAME, activity:ID, record:ID)', { required: true }),
    ...select('h-kind', 'Kind', ['litigation', 'law_enforcement', 'investigation', 'billing_dispute']),
    ...field('h-reason', 'Reason', { required: true }),
    el('button', { type: 'submit' }, 'Place hold'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await call('POST', '/v1/holds', { scope: $('h-scope').value.trim(), kind: $('h-kind').value, reason: $('h-reason').value });
      await holds();
    } catch (e) { say(out, e.message, 'error'); }
  });
  const rows = list.map((h) => el('tr', {},
    el('td', {}, h.id), el('td', {}, h.kind), el('td', {}, `${h.scope}:${h.target}`), el('td', {}, h.reason),
    el('td', {}, day(h.placed_at)),
    el('td', {}, h.released ? `released ${day(h.released_at)}`
      : el('button', { class: 'secondary', on: { click: async () => {
        try { await call('POST', `/v1/holds/${h.id}/release`); await holds(); } catch (e) { say(out, e.message, 'error'); }
      } } }, 'Release'))));
  view().replaceChildren(el('h2', {}, 'Legal holds'),
    list.length ? table(['Hold', 'Kind', 'Scope', 'Reason', 'Placed', 'Release'], rows) : el('p', {}, 'No holds.'),
    el('h3', {}, 'Place a hold'), form, out);
}

/* ---- retention: the audit, the schedule and the sweeps' certificates ---- */

function auditView(a) {
  const rows = a.kinds.filter((k) => k.items).map((k) => el('tr', { class: k.unexplained ? 'overdue' : null },
    el('td', {}, k.kind + (k.personal ? '' : ' (not personal)')), el('td', {}, String(k.items)),
    el('td', {}, String(k.dated)), el('td', {}, String(k.kept)), el('td', {}, String(k.unexplained)),
    el('td', {}, k.reasons.map((r) => el('div', {}, `${r.class}: ${r.count} ${r.reason}`)))));
  return [
    el('h2', {}, 'Retention audit'),
    el('p', { id: 'audit-summary' }, a.unexplained
      ? `${a.unexplained} item(s) with neither a due date nor a reason that ends, among ${a.personal_items} personal items.`
      : `Every one of ${a.personal_items} personal items has a due date or a reason that ends.`),
    rows.length ? table(['Kind', 'Items', 'Dated', 'Kept', 'Unexplained', 'Why'], rows) : el('p', {}, 'The store is empty.'),
    a.unexplained_items.length ? table(['Kind', 'Item', 'Why'], a.unexplained_items.map((i) => el('tr', {},
      el('td', {}, i.kind), el('td', {}, el('code', {}, i.id)), el('td', {}, i.why)))) : []];
}

async function retention() {
  const sched = await call('GET', '/v1/policy/schedule');
  const { sweeps } = await call('GET', '/v1/sweeps');
  const audit = await call('GET', '/v1/retention/audit');
  const rules = Array.isArray(sched) ? sched : sched.rules || [];
  const plan = preformatted('The planned sweep', '', { hidden: true });
  view().replaceChildren(
    ...auditView(audit),
    el('h2', {}, 'Retention schedule'),
    table(['Rule', 'Section', 'Kept', 'Then'], rules.map((r) => el('tr', {},
      el('td', {}, r.id), el('td', {}, r.section || ''), el('td', {}, r.period || r.reason || '—'),
      el('td', {}, r.action === 'anonymise' ? 'anonymised' : 'deleted')))),
    el('h2', {}, 'Last sweeps'),
    sweeps.length ? table(['When', 'By', 'Records', 'Held', 'Certificate hash'], sweeps.map((s) => el('tr', {},
      el('td', {}, s.at), el('td', {}, s.actor), el('td', {}, String(s.certificate.records ?? '')),
      el('td', {}, String(s.certificate.held ?? '')), el('td', {}, el('code', {}, s.hash.slice(0, 16) + '…')))))
      : el('p', {}, 'No sweep has run yet.'),
    el('button', { class: 'secondary', on: { click: async () => {
      try {
        plan.hidden = false;
        plan.textContent = JSON.stringify(await call('POST', '/v1/sweep?dry_run=true'), null, 2);
      } catch (e) { fail(e); }
    } } }, 'Plan a sweep (dry run)'), plan);
}

async function register() {
  const ropa = await call('GET', '/v1/policy/ropa');
  const names = (list) => (list || []).map((x) => x.name || x.label || x.id).join('; ');
  const rows = ropa.activities.map((a) => el('tr', {},
    el('td', {}, el('strong', {}, a.name), el('br'), el('span', { class: 'muted' }, `${a.id}, notice ${a.section}, ${a.role}`)),
    el('td', {}, names(a.purposes)),
    el('td', {}, (a.legal_basis || []).map((b) => b.basis).join(', ')),
    el('td', {}, names(a.data_subjects)),
    el('td', {}, names(a.data_categories)),
    el('td', {}, names(a.recipients)),
    el('td', {}, (a.transfers || []).map((x) => `${x.to} (${x.safeguard})`).join('; ')),
    el('td', {}, (a.erasure_time_limits || []).map((r) => r.period || r.keep || r.rule).join('; '))));
  view().replaceChildren(el('h2', {}, 'Register of processing activities (Art. 30)'),
    el('p', {}, `Controller: ${ropa.controller.name}, ${ropa.controller.address}. `,
      `Notice version ${ropa.notice_version}. ${ropa.activities.length} activities.`),
    table(['Activity', 'Purposes', 'Bases', 'Subjects', 'Categories', 'Recipients', 'Transfers', 'Erasure'], rows));
}

async function audit() {
  const out = el('div', { role: 'status', 'aria-live': 'polite', hidden: true });
  const { entries } = await call('GET', '/v1/audit?limit=50');
  view().replaceChildren(el('h2', {}, 'Audit trail'),
    el('button', { on: { click: async () => {
      try {
        const v = await call('GET', '/v1/audit/verify');
        say(out, v.intact ? `Intact: ${v.entries} entries, head ${v.head}.`
          : `BROKEN at entry ${v.first_bad}: ${v.reason}`, v.intact ? 'ok' : 'error');
      } catch (e) { fail(e); }
    } } }, 'Verify the chain'), out,
    el('h3', {}, 'Latest entries'),
    table(['#', 'When', 'Who', 'Action', 'Subject'], entries.reverse().map((e) => el('tr', {},
      el('td', {}, String(e.seq)), el('td', {}, e.at), el('td', {}, e.actor), el('td', {}, e.action),
      el('td', {}, e.subject || '')))));
}

/* ---- navigation ---- */

function logout() {
  key = '';
  sessionStorage.removeItem('stw_key');
  $('app').hidden = true;
  $('login').hidden = false;
}

async function route() {
  const [name, arg] = location.hash.slice(1).split('/');
  const views = { queue, request, subjects, subject: subjects, holds, retention, register, audit };
  const fn = views[name] || queue;
  for (const b of document.querySelectorAll('nav button'))
    b.setAttribute('aria-current', b.dataset.view === (name === 'request' ? 'queue' : name === 'subject' ? 'subjects' : name || 'queue') ? 'page' : 'false');
  $('status').hidden = true;
  try { await fn(arg && decodeURIComponent(arg)); } catch (e) { fail(e); }
}

$('login').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  key = $('key').value.trim();
  try {
    await call('GET', '/v1/requests');
    sessionStorage.setItem('stw_key', key);
    start();
  } catch (e) { fail(e); }
});

for (const b of document.querySelectorAll('nav button')) {
  b.addEventListener('click', () => {
    if (b.dataset.view === 'logout') logout();
    else location.hash = '#' + b.dataset.view;
  });
}

function start() {
  $('login').hidden = true;
  $('app').hidden = false;
  route();
}

window.addEventListener('hashchange', route);
if (key) start();
