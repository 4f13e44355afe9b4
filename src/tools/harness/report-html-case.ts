/**
 * One case of the HTML evidence report: its verdict, requirements, (for a failure) exactly which
 * requirement broke with the conditions and the offending message, its steps with timings, and
 * every message exchanged with headers and body (escaped, collapsible).
 */
import type { CheckResult } from './checks.js';
import type { CaseResult, Exchanged, StepRecord } from './results.js';
import { escapeXml, printable } from './template.js';

/** Escaped for HTML text and attributes, without characters a page cannot hold. */
export const h = (s: unknown): string => escapeXml(printable(String(s)));

/** Escaped, with `code` spans (as pack authors write them) shown as code, never as raw backticks. */
export const rich = (s: unknown): string =>
  h(s)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/`/g, '');

export const badge = (status: string): string =>
  `<span class="badge ${h(status)}">${h(status.toUpperCase())}</span>`;

export const anchor = (label: string, id: string): string =>
  `case-${`${label}-${id}`.replace(/[^A-Za-z0-9_-]+/g, '-')}`;

function checksTable(checks: readonly CheckResult[]): string {
  if (checks.length === 0) return '';
  // what a broken condition found; a table of conditions that all held needs no such column
  const broken = checks.some((c) => !c.ok);
  const rows = checks
    .map(
      (c) =>
        `<tr class="${c.ok ? 'ok' : 'bad'}"><td>${c.ok ? '✔' : '✘'}</td><td>${h(c.what)}</td>${broken ? `<td>${c.ok ? '' : h(c.actual ?? '')}</td>` : ''}</tr>`,
    )
    .join('');
  return `<table class="checks"><tr><th></th><th>condition</th>${broken ? '<th>found instead</th>' : ''}</tr>${rows}</table>`;
}

function message(m: Exchanged): string {
  const arrow =
    m.direction === 'sent'
      ? `→ sent as ${h(m.role ?? m.endpoint)}${m.role && m.role !== m.endpoint ? ` (${h(m.endpoint)})` : ''}`
      : `← received at ${h(m.role ?? m.endpoint)}${m.role ? ` (${h(m.endpoint)})` : ''}`;
  const meta: [string, string][] = [
    ['time', `${m.time} (+${m.atMs} ms)`],
    ['bytes', String(m.bytes)],
    ...(m.queue ? [['queue', m.queue] as [string, string]] : []),
    ...(m.brokerUser
      ? [
          ['broker user', `${m.brokerUser}${m.userIdSet ? ' (user_id set)' : ' (no user_id)'}`] as [
            string,
            string,
          ],
        ]
      : []),
    ...Object.entries(m.properties).map(
      ([k, v]) => [`property ${k}`, String(v)] as [string, string],
    ),
    ...Object.entries(m.headers).map(([k, v]) => [`header ${k}`, v] as [string, string]),
    ['validator', m.valid ? 'valid' : `INVALID: ${m.problems.join(' | ')}`],
  ];
  const rows = meta.map(([k, v]) => `<tr><th>${h(k)}</th><td>${h(v)}</td></tr>`).join('');
  const tag = m.offending ? '<span class="badge failed">OFFENDING</span> ' : '';
  const step = m.step !== undefined ? ` <span class="muted">(step ${m.step})</span>` : '';
  return `<details class="msg ${m.direction}${m.offending ? ' offending' : ''}"${m.offending ? ' open' : ''}>
<summary>${tag}<b>#${m.n}</b> <span class="muted">+${m.atMs} ms</span> ${arrow}: ${h(m.summary)}${step}${m.valid ? '' : ' <span class="warn">invalid</span>'}</summary>
<table class="meta">${rows}</table>
<pre class="body">${h(m.body)}</pre>
</details>`;
}

function step(s: StepRecord): string {
  const refs = s.messages.length
    ? ` <span class="muted">messages ${s.messages.map((n) => `#${n}`).join(', ')}</span>`
    : '';
  const checks = s.checks?.length
    ? `<details${s.status === 'failed' ? ' open' : ''}><summary>${s.checks.filter((c) => c.ok).length}/${s.checks.length} conditions met</summary>${checksTable(s.checks)}</details>`
    : '';
  return `<tr class="step ${h(s.status)}"><td>${s.index}</td><td>${badge(s.status)}</td><td>${h(s.title)}${s.note ? `<div class="muted">${rich(s.note)}</div>` : ''}${s.detail ? `<div class="detail">${h(s.detail)}</div>` : ''}${refs}${checks}</td><td>${h(s.requirement ?? '')}</td><td class="num">+${s.startMs} ms</td><td class="num">${s.durationMs} ms</td><td class="muted">${h(`${s.origin.file.split('/').slice(-2).join('/')}${s.origin.line ? `:${s.origin.line}` : ''}`)}</td></tr>`;
}

export function caseSection(label: string, c: CaseResult): string {
  const f = c.failure;
  const offending =
    f?.offending !== undefined ? c.messages.find((m) => m.n === f.offending) : undefined;
  const failure = f
    ? `<div class="failure">
<p><b>Requirement broken: ${h(f.requirement.id)}</b> — ${rich(f.requirement.title)}${f.requirement.ref ? ` <span class="muted">(${h(f.requirement.ref)})</span>` : ''}</p>
${f.requirement.text ? `<p class="req-text">${h(f.requirement.text)}</p>` : ''}
<p>At step ${f.step}: ${h(f.stepTitle)}</p>
<p><b>${h(f.summary)}</b></p>
${checksTable(f.checks)}
${offending ? `<p>Offending message #${offending.n}:</p>${message({ ...offending, offending: true })}` : ''}
</div>`
    : c.reason
      ? `<div class="${c.status === 'skipped' ? 'skip' : 'failure'}">${h(c.reason)}</div>`
      : '';
  const steps = c.steps.length
    ? `<table class="steps"><tr><th>#</th><th>status</th><th>step</th><th>requirement</th><th>start</th><th>took</th><th>source</th></tr>${c.steps.map(step).join('')}</table>`
    : '';
  const messages = c.messages.length
    ? `<h4>Messages exchanged (${c.messages.length})</h4>${c.messages.map(message).join('\n')}`
    : '';
  const open = c.status === 'failed' || c.status === 'error' ? ' open' : '';
  const unchecked = c.steps.filter((s) => s.status === 'skipped').length;
  return `<details class="case ${h(c.status)}" id="${anchor(label, c.id)}"${open}>
<summary>${badge(c.status)} <b>${h(c.id)}</b> ${rich(c.title)} <span class="muted">${c.durationMs} ms · ${c.requirements.map((r) => h(r.id)).join(', ')}${unchecked ? ` · ${unchecked} step(s) not checked` : ''}</span></summary>
<p class="muted">Started ${h(c.startedAt)} · defined in ${h(c.origin.file)}${c.origin.line ? `:${c.origin.line}` : ''}</p>
<ul class="reqs">${c.requirements.map((r) => `<li><b>${h(r.id)}</b> ${rich(r.title)}</li>`).join('')}</ul>
${failure}
${steps}
${messages}
</details>`;
}
