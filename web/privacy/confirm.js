import { api, say, showController } from '/static/api.js';

showController();

const token = new URLSearchParams(location.search).get('token') || '';
document.getElementById('confirm').addEventListener('click', async () => {
  try {
    await api('POST', '/privacy/api/confirm', { token });
    say(document.getElementById('state'), 'Thank you: your subscription is confirmed.', 'ok');
  } catch (e) {
    say(document.getElementById('state'), e.status === 404
      ? 'This link is not valid or has expired.' : e.message, 'error');
  }
});
