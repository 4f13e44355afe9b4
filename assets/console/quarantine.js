// The quarantine page: replay or purge one entry, or the selected ones after typing their count.
'use strict';
document.addEventListener('DOMContentLoaded', () => {
  const reason = document.getElementById('reason');
  const outcome = document.getElementById('outcome');
  if (!reason) return; // a viewer's page has no actions
  const say = (text) => {
    outcome.textContent = text;
  };
  const act = async (kind, ids) => {
    if (!reason.value.trim()) {
      say('Give a reason first: it is recorded in the audit log.');
      reason.focus();
      return;
    }
    const results = [];
    for (const id of ids) {
      const { data, status } =
        kind === 'replay'
          ? await window.itkConsole.call('POST', `/api/v1/quarantine/${id}/replay`, {
              reason: reason.value,
            })
          : await window.itkConsole.call('DELETE', `/api/v1/quarantine/${id}`, {
              reason: reason.value,
            });
      results.push(
        `${id}: ${data.status ?? status}${data.reason ? ` (${data.reason})` : ''}${data.error ? ` (${data.error.message})` : ''}`,
      );
    }
    say(results.join('; '));
    setTimeout(() => window.location.reload(), 1500);
  };
  document
    .querySelectorAll('button[data-replay]')
    .forEach((b) => b.addEventListener('click', () => act('replay', [b.dataset.replay])));
  document.querySelectorAll('button[data-purge]').forEach((b) =>
    b.addEventListener('click', () => {
      if (window.confirm(`Purge ${b.dataset.purge}? It cannot be undone.`))
        act('purge', [b.dataset.purge]);
    }),
  );
  document.querySelectorAll('button[data-bulk]').forEach((b) =>
    b.addEventListener('click', () => {
      const ids = [...document.querySelectorAll('input[name="entry"]:checked')].map((c) => c.value);
      if (ids.length === 0) return say('Select the entries first.');
      const typed = window.prompt(
        `${b.dataset.bulk} ${ids.length} entries: type ${ids.length} to confirm`,
      );
      if (typed === null) return;
      if (Number(typed) !== ids.length)
        return say(`Not done: you typed ${typed}, there are ${ids.length} selected.`);
      act(b.dataset.bulk, ids);
    }),
  );
});
