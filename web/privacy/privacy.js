import { api, say, showController } from '/static/api.js';

showController();

const $ = (id) => document.getElementById(id);
let current = sessionStorage.getItem('stw_request') || '';

function describe(r) {
  const words = {
    verifying: 'waiting for your code',
    in_progress: 'being handled',
    extended: 'being handled (the deadline was extended)',
    completed: 'completed',
    refused: 'refused',
    withdrawn: 'withdrawn',
    received: 'received',
  };
  let text = `Request ${r.id} (${r.type}): ${words[r.state] || r.state}.`;
  if (!r.closed_at) text += ` We answer by ${r.due_at.slice(0, 10)} (${r.days_left} days left).`;
  if (r.outcome) text += ` ${r.outcome}`;
  return text;
}

$('file-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const body = {
    type: $('type').value,
    regulation: document.querySelector('input[name=regulation]:checked').value,
  };
  if ($('by-phone').checked) body.phone = $('phone').value.trim();
  else body.email = $('email').value.trim();
  try {
    const r = await api('POST', '/privacy/api/requests', body);
    current = r.id;
    sessionStorage.setItem('stw_request', current);
    say($('file-status'), `${r.message} Your request number is ${r.id}.`, 'ok');
    $('verify-form').hidden = false;
    $('code').focus();
  } catch (e) {
    say($('file-status'), e.message, 'error');
  }
});

$('verify-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  try {
    const r = await api('POST', `/privacy/api/requests/${encodeURIComponent(current)}/verify`,
                        { code: $('code').value.trim() });
    $('code').removeAttribute('aria-invalid');
    say($('file-status'), 'Thank you, your request is confirmed. ' + describe(r), 'ok');
    $('verify-form').hidden = true;
    $('req-id').value = r.id;
  } catch (e) {
    say($('file-status'), e.message, 'error');
    /* the field says it is wrong, and why */
    $('code').setAttribute('aria-invalid', 'true');
    $('code').setAttribute('aria-describedby', 'file-status');
    $('code').focus();
  }
});

$('check-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  try {
    const r = await api('GET', `/privacy/api/requests/${encodeURIComponent($('req-id').value.trim())}`);
    say($('check-status'), describe(r), 'ok');
  } catch (e) {
    say($('check-status'), e.status === 404
      ? 'No confirmed request with this number. Enter the code we sent you first.' : e.message, 'error');
  }
});

async function loadCookies() {
  const c = await api('GET', '/privacy/api/cookies');
  $('c-analytics').checked = c.analytics;
  $('c-advertising').checked = c.advertising;
  $('gpc-note').hidden = !(c.gpc || navigator.globalPrivacyControl);
}

$('cookie-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  try {
    const c = await api('POST', '/privacy/api/cookies', {
      analytics: $('c-analytics').checked,
      advertising: $('c-advertising').checked,
    });
    $('c-analytics').checked = c.analytics;
    $('c-advertising').checked = c.advertising;
    say($('cookie-status'), `Saved: analytics ${c.analytics ? 'on' : 'off'}, advertising ${c.advertising ? 'on' : 'off'}.`, 'ok');
  } catch (e) {
    say($('cookie-status'), e.message, 'error');
  }
});

for (const r of document.querySelectorAll('input[name=by]')) {
  r.addEventListener('change', () => {
    const phone = $('by-phone').checked;
    $('phone-field').hidden = !phone;
    $('email-field').hidden = phone;
    $('phone').required = phone;
    $('email').required = !phone;
  });
}

if (current) $('req-id').value = current;
loadCookies().catch((e) => say($('cookie-status'), e.message, 'error'));
