// Every console page: sign out (DELETE /api/v1/session with the page's CSRF token).
'use strict';
window.itkConsole = {
  csrf: () => document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '',
  async call(method, url, body) {
    const response = await fetch(url, {
      method,
      credentials: 'same-origin',
      headers: {
        'x-csrf-token': window.itkConsole.csrf(),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let data;
    try {
      data = text ? JSON.parse(text) : {};
    } catch {
      data = { error: { message: text } };
    }
    return { ok: response.ok, status: response.status, data };
  },
};
document.addEventListener('DOMContentLoaded', () => {
  const form = document.querySelector('form[data-action="sign-out"]');
  form?.addEventListener('submit', async (event) => {
    event.preventDefault();
    await window.itkConsole.call('DELETE', '/api/v1/session');
    window.location.assign('/console/sign-in');
  });
});
