// The sign-in page: POST /api/v1/session as JSON, then on to the page asked for.
'use strict';
document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('sign-in');
  const error = document.getElementById('sign-in-error');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    const body = { username: form.username.value, password: form.password.value };
    const { ok, data } = await window.itkConsole.call('POST', '/api/v1/session', body);
    if (!ok) {
      error.textContent = data.error?.message ?? 'sign-in failed';
      error.hidden = false;
      form.password.focus();
      return;
    }
    const next = new URLSearchParams(window.location.search).get('next') ?? '';
    // only a page of this console, never another site
    window.location.assign(
      /^\/console\/[^/]?/.test(next) && !next.startsWith('//') ? next : '/console/',
    );
  });
});
