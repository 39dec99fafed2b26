// SPDX-License-Identifier: Apache-2.0
// The privacy centre and the console in a real browser (Debian's Chromium,
// driven by playwright-core) against the real stewardd on 127.0.0.1:
// a person files an access request, reads the code from the outbox and
// verifies it; the DPO completes it in the console; a subscriber
// unsubscribes through the link and GET /v1/decide denies afterwards;
// cookie choices and Global Privacy Control.
//   node e2e.mjs STEWARD STEWARDD [SCREENSHOT_DIR]
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const [steward, stewardd, shots] = process.argv.slice(2);
assert.ok(steward && stewardd, 'usage: node e2e.mjs STEWARD STEWARDD [SCREENSHOT_DIR]');
const dir = mkdtempSync(join(tmpdir(), 'steward-browser-'));
const store = join(dir, 'steward.db');
const outbox = join(dir, 'outbox.ndjson');
const cli = (...args) => execFileSync(steward, [...args, '--store', store], { encoding: 'utf8' });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const port = await new Promise((resolve) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});
const base = `http://127.0.0.1:${port}`;

// the bundled policy and one system of the company's: a CRM in an SQLite
// file (docs/connectors.md), where Bea has a contact row
const crm = join(dir, 'crm.db');
process.env.E2E_CRM = crm;
execFileSync('sqlite3', [crm, "CREATE TABLE contacts(id INTEGER PRIMARY KEY, email TEXT);" +
  " INSERT INTO contacts VALUES (1, 'bea@example.com'), (2, 'cal@example.com');"]);
const policy = join(dir, 'policy.yaml');
writeFileSync(policy, readFileSync(new URL('../../policies/cpaas-notice.yaml', import.meta.url), 'utf8') + `
systems:
  - id: crm
    name: Sales CRM
    connector: sqlite
    credentials: { env: E2E_CRM }
    datasets:
      - table: contacts
        activity: customer_account
        key: id
        identities:
          - { type: email, column: email }
        columns:
          - { name: email, category: user.contact.email, erase: delete }
`);
cli('init', '--policy', policy);
const customer = JSON.parse(cli('subject', 'add', '--kind', 'customer', '--account', 'ACME-7',
  '--email', 'ann@example.com', '--phone', '+447700900123', '--json')).id;
cli('record', 'add', '--subject', customer, '--activity', 'customer_account',
  '--category', 'user.name', '--value', 'Ann Example');
const dpoKey = cli('key', 'create', '--role', 'dpo').trim();
const serviceKey = cli('key', 'create', '--role', 'service').trim();

const daemon = spawn(stewardd, ['--store', store, '--listen', `127.0.0.1:${port}`,
  '--outbox', outbox, '--sweep-every', '0', '--rate', '0',
  '--web', join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web')], { stdio: ['ignore', 'ignore', 'pipe'] });
let log = '';
daemon.stderr.on('data', (d) => { log += d; });
const api = async (method, path, body, key = serviceKey) => {
  const res = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: await res.json() };
};
for (let i = 0; ; i++) {
  try { if ((await fetch(base + '/healthz')).ok) break; } catch { /* not yet */ }
  assert.ok(i < 100, 'stewardd did not start: ' + log);
  await sleep(50);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const shot = async (page, name) => {
  if (!shots) return;
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, name + '.png'), fullPage: true });
};
// WCAG 2.1 AA with axe-core (npm, tests/browser): every state a check
// looks at; violations of impact serious or critical fail the test, all
// of them reported at the end
const axeSource = readFileSync(join(dirname(fileURLToPath(import.meta.url)),
  'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const a11yFound = [];
let a11yStates = 0;
const a11y = async (p, state) => {
  if (!(await p.evaluate(() => typeof window.axe !== 'undefined'))) await p.evaluate(axeSource);
  const r = await p.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  a11yStates++;
  for (const v of r.violations)
    if (v.impact === 'serious' || v.impact === 'critical')
      a11yFound.push(`${state}: ${v.id} (${v.impact}): ${v.help}: ` +
        v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', '));
};
let failed = false;
try {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));

  // ---- the privacy centre: file an access request and verify it ----
  await page.goto(base + '/privacy/');
  // the header says who is responsible, how to reach the DPO, and links
  // the notice: the policy's controller section
  await page.waitForSelector('#controller:not([hidden])');
  assert.match(await page.textContent('#controller'),
    /^Example CPaaS Ltd, 1 Example Street, London, United Kingdom · Data protection officer: dpo@example\.com · Privacy Notice \(version 2025-06\)$/);
  assert.equal(await page.getAttribute('#controller a[href^="mailto:"]', 'href'), 'mailto:dpo@example.com');
  assert.equal(await page.getAttribute('#controller a[href^="https:"]', 'href'), 'https://example.com/privacy');
  await a11y(page, 'privacy centre');
  // every field has a label a screen reader can read
  for (const id of await page.$$eval('input:not([type=hidden]), select',
    (els) => els.map((e) => e.id))) {
    assert.ok(await page.$(`label[for="${id}"]`), `input #${id} has no label`);
  }
  await page.selectOption('#type', 'access');
  await page.fill('#email', 'ann@example.com');
  // the keyboard alone submits the form
  await page.focus('#email');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#verify-form:not([hidden])');
  await a11y(page, 'privacy centre, code asked');
  const filed = await page.textContent('#file-status');
  const reqId = /req_[0-9a-f]+/.exec(filed)[0];
  let code;
  for (let i = 0; i < 50 && !code; i++) {
    if (existsSync(outbox)) {
      const msgs = readFileSync(outbox, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      const m = msgs.find((x) => x.to === 'ann@example.com' && x.body.includes(reqId));
      if (m) code = /\b(\d{6})\b/.exec(m.body)[1];
    }
    if (!code) await sleep(50);
  }
  assert.ok(code, 'no code in the outbox');
  await shot(page, 'privacy-centre');
  // before the code, the number shows nothing (a number alone proves nothing)
  await page.fill('#req-id', reqId);
  await page.click('#check-form button');
  await page.waitForFunction(() => document.querySelector('#check-status').textContent.includes('No confirmed request'));
  await page.fill('#code', code === '000000' ? '111111' : '000000');
  await page.click('#verify-form button');
  await page.waitForFunction(() => document.querySelector('#file-status').textContent.includes('does not match'));
  // the field says it is wrong (WCAG 3.3.1), and points at why
  assert.equal(await page.getAttribute('#code', 'aria-invalid'), 'true');
  assert.equal(await page.getAttribute('#code', 'aria-describedby'), 'file-status');
  await a11y(page, 'privacy centre, wrong code');
  await page.fill('#code', code);
  await page.click('#verify-form button');
  await page.waitForFunction(() => document.querySelector('#file-status').textContent.includes('confirmed'));
  assert.match(await page.textContent('#file-status'), /being handled/);
  assert.equal(await page.getAttribute('#code', 'aria-invalid'), null);
  // no sideways scrolling at phone widths (WCAG 1.4.10 Reflow)
  for (const width of [390, 320]) {
    await page.setViewportSize({ width, height: 800 });
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= width,
      `the privacy centre is wider than ${width} px`);
    if (width === 390) await shot(page, 'privacy-centre-phone');
  }
  await page.setViewportSize({ width: 1280, height: 720 });
  await a11y(page, 'privacy centre, verified');

  // ---- the console: the DPO completes it ----
  const con = await ctx.newPage();
  con.on('pageerror', (e) => errors.push(e.message));
  await con.goto(base + '/console/');
  await con.fill('#key', 'stw_wrong');
  await con.click('#login button');
  await con.waitForSelector('#status:not([hidden])');
  assert.match(await con.textContent('#status'), /API key/);
  await a11y(con, 'console, wrong key');
  await con.fill('#key', dpoKey);
  await con.click('#login button');
  // the person's number is a ticket of the request; the queue has the one
  await con.waitForSelector('a[href^="#request/"]');
  const links = await con.$$eval('a[href^="#request/"]', (as) => as.map((a) => a.getAttribute('href')));
  assert.equal(links.length, 1);
  const realId = links[0].slice('#request/'.length);
  await shot(con, 'console-queue');
  await a11y(con, 'console, queue');
  // days left counted on the law's calendar
  assert.match(await con.textContent('table'), /\d+ working days/);
  // at phone width the due date and the days left are on the screen
  await con.setViewportSize({ width: 390, height: 800 });
  assert.ok(await con.evaluate(() => document.documentElement.scrollWidth) <= 390, 'the queue is wider than 390 px');
  for (const col of ['Due', 'Working days left']) {
    const box = await (await con.$(`td[data-label="${col}"]`)).boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `the ${col} column is off-screen at 390 px`);
  }
  await a11y(con, 'console, queue at 390 px');
  await shot(con, 'console-queue-phone');
  await con.setViewportSize({ width: 1280, height: 720 });
  // opened from the keyboard, the request takes the focus to its heading
  await con.focus(`a[href="#request/${realId}"]`);
  await con.keyboard.press('Enter');
  await con.waitForSelector('#req-state');
  assert.equal(await con.evaluate(() => document.activeElement.id), 'req-h');
  assert.equal(await con.textContent('#req-state'), 'in progress');
  await a11y(con, 'console, request');
  await con.selectOption('#format', 'json');
  await con.click('text=Fulfil');
  await con.waitForFunction(() => document.querySelector('#req-state')?.textContent === 'completed');
  await con.waitForSelector('pre');
  assert.match(await con.textContent('pre'), /ann@example\.com/);
  await shot(con, 'console-request');
  await a11y(con, 'console, request fulfilled');
  const done = await api('GET', `/v1/requests/${realId}`, undefined, dpoKey);
  assert.equal(done.json.state, 'completed');
  // the person sees it completed
  await page.fill('#req-id', reqId);
  await page.click('#check-form button');
  await page.waitForFunction(() => document.querySelector('#check-status').textContent.includes('completed'));

  // by text message: the code goes to the phone on file
  await page.selectOption('#type', 'portability');
  await page.check('#by-phone');
  assert.equal(await page.isVisible('#email'), false);
  await page.fill('#phone', '+44 7700 900123');
  await page.click('#file-form button');
  await page.waitForFunction((old) => {
    const m = /req_[0-9a-f]+/.exec(document.querySelector('#file-status').textContent);
    return m && m[0] !== old;
  }, reqId);
  const byPhone = /req_[0-9a-f]+/.exec(await page.textContent('#file-status'))[0];
  assert.notEqual(byPhone, reqId);
  const sms = readFileSync(outbox, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    .find((x) => x.body.includes(byPhone));
  assert.equal(sms.channel, 'sms');
  assert.equal(sms.to, '+447700900123');

  // the other views of the console render
  for (const [view, sel, name] of [['subjects', '#id-value', 'console-subjects'],
    ['holds', '#h-scope', 'console-holds'], ['retention', '#audit-summary', 'console-retention'],
    ['register', 'table', 'console-register'], ['audit', 'table', 'console-audit']]) {
    await con.click(`nav button[data-view="${view}"]`);
    await con.waitForSelector(sel);
    await shot(con, name);
    await a11y(con, 'console, ' + view);
  }
  // the retention page shows the store's audit as the API gives it
  await con.click('nav button[data-view="retention"]');
  await con.waitForSelector('#audit-summary');
  const audit = await api('GET', '/v1/retention/audit', undefined, dpoKey);
  assert.equal(audit.status, 200);
  // periods in words, not ISO-8601 or trigger ids
  const retentionText = await con.textContent('#view');
  assert.match(retentionText, /7 years after account closure/);
  assert.doesNotMatch(retentionText, /\bP\d+[YMWD]\b|account_closed/);
  assert.ok((await con.textContent('#audit-summary')).includes(`${audit.json.personal_items} personal items`));
  await con.click('nav button[data-view="subjects"]');
  await con.selectOption('#id-type', 'email');
  await con.fill('#id-value', 'ann@example.com');
  await con.click('#view form button[type=submit]');
  await con.waitForFunction(() => document.body.textContent.includes('Ann Example'));
  await con.click('nav button[data-view="audit"]');
  await con.click('text=Verify the chain');
  await con.waitForFunction(() => document.body.textContent.includes('Intact:'));

  // ---- unsubscribe through the link: the decision denies afterwards ----
  const purpose = 'marketing.communications.email';
  const given = await api('POST', '/v1/consents', { email: 'sub@example.com', purpose,
    method: 'web_form', kind: 'marketing_subscriber' });
  assert.equal(given.status, 201);
  assert.equal((await api('POST', '/v1/consents/confirm', { token: given.json.confirmation_token })).status, 200);
  const before = await api('GET', `/v1/decide?purpose=${purpose}&email=sub%40example.com`);
  assert.equal(before.json.decision, 'allow');
  const link = await api('POST', '/v1/unsubscribe-links', { email: 'sub@example.com' });
  assert.equal(link.status, 201);
  const unsub = await ctx.newPage();
  unsub.on('pageerror', (e) => errors.push(e.message));
  await unsub.goto(link.json.url);
  await unsub.waitForSelector('#unsubscribe:not([hidden])');
  await unsub.waitForSelector('#controller:not([hidden])');
  assert.match(await unsub.textContent('#who'), /s\*\*\*@example\.com/);
  await shot(unsub, 'privacy-unsubscribe');
  await a11y(unsub, 'unsubscribe page');
  await unsub.click('#unsubscribe');
  await unsub.waitForFunction(() => document.querySelector('#state').textContent.includes('unsubscribed'));
  const after = await api('GET', `/v1/decide?purpose=${purpose}&email=sub%40example.com`);
  assert.equal(after.json.decision, 'deny');
  assert.equal(after.json.reason, 'suppressed');
  // a forged link changes nothing
  await unsub.goto(base + '/privacy/unsubscribe?token=forged');
  await unsub.waitForFunction(() => document.querySelector('#state').textContent.includes('not valid'));

  // ---- an erasure that waits for a system, near its deadline ----
  const bea = JSON.parse(cli('subject', 'add', '--kind', 'customer', '--account', 'ACME-8',
    '--email', 'bea@example.com', '--json')).id;
  const received = new Date(Date.now() - 28 * 86400e3).toISOString().slice(0, 19) + 'Z';
  const opened = JSON.parse(cli('request', 'open', '--type', 'erasure', '--regulation', 'gdpr',
    '--subject', bea, '--received', received, '--json'));
  cli('request', 'verify', opened.id, '--code', /is (\d{6})\./.exec(opened.verification_message)[1]);
  const sql = (q) => execFileSync('sqlite3', [crm, q], { encoding: 'utf8' }).trim();
  sql('ALTER TABLE contacts RENAME TO moved'); // the CRM's table is gone
  await con.goto(`${base}/console/#request/${opened.id}`);
  await con.waitForSelector('#req-state');
  await con.click('text=Fulfil');
  await con.waitForFunction(() => [...document.querySelectorAll('[role=status]')]
    .some((e) => !e.hidden && e.textContent.includes('waits for 1 system: crm')));
  assert.equal(await con.textContent('#req-state'), 'in progress');
  assert.doesNotMatch(await con.textContent('#view'), /null/);
  const rowOf = async () => con.$$eval('tr', (trs) => trs.map((t) => t.textContent)
    .find((t) => t.startsWith('crm')) || '');
  assert.match(await rowOf(), /^crmpending01/);
  const alert = await con.textContent('[role=alert]');
  assert.match(alert, /^1 system not done yet, and the deadline is in \d working days$/);
  await shot(con, 'console-request-systems');
  // back: the same button erases Bea's row in the CRM and completes it
  sql('ALTER TABLE moved RENAME TO contacts');
  await con.click('text=Fulfil');
  await con.waitForFunction(() => document.querySelector('#req-state')?.textContent === 'completed');
  assert.match(await rowOf(), /^crmdone1/);
  assert.equal(await con.$('[role=alert]'), null);
  assert.equal(sql('SELECT group_concat(email) FROM contacts'), 'cal@example.com');

  // ---- cookies: the choice is kept; GPC refuses ----
  await page.check('#c-analytics');
  await page.click('#cookie-form button');
  await page.waitForFunction(() => document.querySelector('#cookie-status').textContent.includes('analytics on'));
  await page.reload();
  await page.waitForFunction(() => document.querySelector('#c-analytics').checked);
  const gpc = await browser.newContext({ extraHTTPHeaders: { 'Sec-GPC': '1' } });
  const gpage = await gpc.newPage();
  await gpage.goto(base + '/privacy/');
  await gpage.waitForSelector('#gpc-note:not([hidden])');
  await a11y(gpage, 'privacy centre, GPC');
  await gpage.check('#c-analytics');
  await gpage.click('#cookie-form button');
  await gpage.waitForFunction(() => document.querySelector('#cookie-status').textContent.includes('analytics off'));
  assert.equal(await gpage.isChecked('#c-analytics'), false);
  await gpc.close();

  assert.deepEqual(errors, [], 'script errors in the pages');
  assert.deepEqual(a11yFound, [], `WCAG 2.1 AA (axe-core): serious or critical violations in ${a11yStates} states`);
  // the daemon logged no address
  assert.ok(!['ann', 'sub', 'bea'].some((n) => log.includes(n + '@example.com')), 'an address in the log');
  console.log(`browser: privacy centre, console, systems, unsubscribe, cookies: ok; axe-core: ${a11yStates} states, none serious`);
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  await browser.close();
  daemon.kill('SIGTERM');
  await new Promise((r) => daemon.on('exit', r));
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
