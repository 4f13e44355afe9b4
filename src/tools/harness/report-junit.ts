/**
 * JUnit XML for CI: a testsuite per pack run, a testcase per case (classname = pack, name = case
 * id and title), the requirements as properties, and for a failure the requirement that broke,
 * the conditions and the offending message.
 */
import { escapeXml as escapeOnly, printable } from './template.js';
import type { CaseResult, HarnessRun, PackRun } from './results.js';

/** Escaped, and without the characters XML 1.0 cannot hold. */
const escapeXml = (s: string) => escapeOnly(printable(s));

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function failureText(c: CaseResult): string {
  const f = c.failure!;
  const lines = [
    `Requirement ${f.requirement.id}: ${f.requirement.title}`,
    ...(f.requirement.text ? [`  ${f.requirement.text}`] : []),
    `Broke at step ${f.step}: ${f.stepTitle}`,
    f.summary,
    '',
    'Conditions:',
    ...f.checks.map(
      (k) =>
        `  [${k.ok ? 'ok' : 'FAILED'}] ${k.what}${k.ok ? '' : ` (found ${k.actual ?? 'nothing'})`}`,
    ),
  ];
  const offending = c.messages.find((m) => m.n === f.offending);
  if (offending) {
    lines.push(
      '',
      `Offending message #${offending.n}: ${offending.direction} at ${offending.endpoint}, ${offending.summary}`,
      ...Object.entries(offending.headers).map(([k, v]) => `  ${k}: ${v}`),
      offending.body,
    );
  }
  return lines.join('\n');
}

function testcase(pack: PackRun, c: CaseResult): string {
  const attrs = `classname="${escapeXml(pack.label)}" name="${escapeXml(`${c.id} ${c.title}`)}" time="${seconds(c.durationMs)}"`;
  const properties = `<properties>${c.requirements
    .map((r) => `<property name="requirement" value="${escapeXml(`${r.id} ${r.title}`)}"/>`)
    .join('')}</properties>`;
  let inner = properties;
  if (c.status === 'failed' && c.failure) {
    const message = `${c.failure.requirement.id} broke: ${c.failure.summary}`;
    inner += `<failure message="${escapeXml(message)}" type="${escapeXml(c.failure.requirement.id)}">${escapeXml(failureText(c))}</failure>`;
  } else if (c.status === 'error') {
    inner += `<error message="${escapeXml(c.reason ?? 'error')}">${escapeXml(c.reason ?? '')}</error>`;
  } else if (c.status === 'skipped') {
    inner += `<skipped message="${escapeXml(c.reason ?? 'skipped')}"/>`;
  }
  const out = c.messages
    .map((m) => `#${m.n} +${m.atMs} ms ${m.direction} ${m.endpoint}: ${m.summary}`)
    .join('\n');
  if (out) inner += `<system-out>${escapeXml(out)}</system-out>`;
  return `    <testcase ${attrs}>${inner}</testcase>`;
}

/** The self-test's faulty routers as one suite: a fault passes when a case caught it. */
function faultSuite(run: HarnessRun): string[] {
  const faults = run.faultyRouters ?? [];
  if (faults.length === 0) return [];
  const missed = faults.filter((f) => f.caughtBy.length === 0).length;
  const time = faults.reduce((n, f) => n + f.durationMs, 0);
  return [
    `  <testsuite name="faulty routers" tests="${faults.length}" failures="${missed}" errors="0" skipped="0" time="${seconds(time)}">`,
    ...faults.map((f) => {
      const attrs = `classname="faulty routers" name="${escapeXml(`${f.fault}: ${f.does}`)}" time="${seconds(f.durationMs)}"`;
      const out = f.caughtBy
        .map((c) => `caught by ${c.id} (${c.requirement}): ${c.summary}`)
        .join('\n');
      const inner = f.caughtBy.length
        ? `<system-out>${escapeXml(out)}</system-out>`
        : `<failure message="${escapeXml(`not caught: none of ${f.cases.join(', ')} failed`)}" type="not-caught">${escapeXml(f.notRun.map((c) => `${c.id} not run: ${c.reason}`).join('\n'))}</failure>`;
      return `    <testcase ${attrs}>${inner}</testcase>`;
    }),
    '  </testsuite>',
  ];
}

export function junitXml(run: HarnessRun): string {
  const suites = run.packs.map((pack) => {
    const count = (s: CaseResult['status']) => pack.cases.filter((c) => c.status === s).length;
    const attrs = [
      `name="${escapeXml(pack.label)}"`,
      `tests="${pack.cases.length}"`,
      `failures="${count('failed')}"`,
      `errors="${count('error')}"`,
      `skipped="${count('skipped')}"`,
      `time="${seconds(pack.durationMs)}"`,
      `timestamp="${pack.startedAt.replace(/\.\d{3}Z$/, '')}"`,
    ].join(' ');
    return [
      `  <testsuite ${attrs}>`,
      ...pack.cases.map((c) => testcase(pack, c)),
      '  </testsuite>',
    ].join('\n');
  });
  const t = run.totals;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escapeXml(run.tool)}" tests="${t.total}" failures="${t.failed}" errors="${t.error}" skipped="${t.skipped}" time="${seconds(run.durationMs)}">`,
    ...suites,
    ...faultSuite(run),
    '</testsuites>',
    '',
  ].join('\n');
}
