import { api, say, showController } from '/static/api.js';

showController();

const $ = (id) => document.getElementById(id);
const token = new URLSearchParams(location.search).get('token') || '';

function show(p) {
  $('who').textContent = `Preferences for ${p.address}.`;
  say($('state'), p.subscribed
    ? 'You receive our marketing e-mails.'
    : 'You are unsubscribed: you receive no marketing e-mails from us.', p.subscribed ? '' : 'ok');
  $('unsubscribe').hidden = !p.subscribed;
  $('subscribe').hidden = p.subscribed;
}

async function run(method, path) {
  try {
    const p = await api(method, path, method === 'POST' ? { token } : undefined);
    if (p.address) show(p);
    else say($('state'), 'Check your inbox: we sent a link to confirm your subscription.', 'ok');
  } catch (e) {
    say($('state'), e.status === 403 ? 'This link is not valid. Use the link of a recent e-mail.' : e.message, 'error');
  }
}

$('unsubscribe').addEventListener('click', () => run('POST', '/privacy/api/unsubscribe'));
$('subscribe').addEventListener('click', () => run('POST', '/privacy/api/subscribe'));
run('GET', `/privacy/api/preferences?token=${encodeURIComponent(token)}`);
