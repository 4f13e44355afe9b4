/**
 * The self-contained HTML evidence report (no scripts, no external files): the verdict, the
 * router under test, and per pack run the roles, a requirement-by-requirement coverage table and
 * every case (report-html-case.ts). A supplier can hand it to an assurance team as it is.
 */
import type { HarnessRun, PackRun } from './results.js';
import { anchor, badge, caseSection, h, rich } from './report-html-case.js';
import type { RunEnvironment } from './environment.js';
import { REPORT_CSS } from './report-css.js';

function coverage(pack: PackRun): string {
  const rows = pack.pack.requirements.map((r) => {
    const all = pack.setup ? [pack.setup, ...pack.cases] : pack.cases;
    const cases = all.filter((c) => c.requirements.some((x) => x.id === r.id));
    const broken = all.filter((c) => c.failure?.requirement.id === r.id);
    const status =
      cases.length === 0
        ? 'untested'
        : broken.length > 0
          ? 'failed'
          : cases.every((c) => c.status === 'passed')
            ? 'passed'
            : cases.some((c) => c.status === 'failed' || c.status === 'error')
              ? 'error'
              : 'skipped';
    const links = cases
      .map((c) => `<a class="${h(c.status)}" href="#${anchor(pack.label, c.id)}">${h(c.id)}</a>`)
      .join(' ');
    return `<tr class="${status}"><td><b>${h(r.id)}</b></td><td>${rich(r.title)}${r.text ? `<div class="req-text">${rich(r.text)}</div>` : ''}${r.ref ? `<div class="muted">${h(r.ref)}</div>` : ''}</td><td>${links}</td><td>${badge(status)}${broken.length ? `<div class="muted">broken by ${broken.map((c) => h(c.id)).join(', ')}</div>` : ''}</td></tr>`;
  });
  return `<table class="coverage"><tr><th>requirement</th><th>rule</th><th>cases</th><th>verdict</th></tr>${rows.join('')}</table>`;
}

function packSection(pack: PackRun): string {
  const roles = pack.roles
    .map(
      (r) =>
        `<tr><td>${h(r.role)}</td><td>${h(r.endpoint)}${pack.underTest === r.endpoint ? ' <b>(under test)</b>' : ''}</td><td>${h(r.name)}</td><td>${h(r.address)}</td><td>${h(r.brokerUser)}</td><td>${h(r.acks)}</td></tr>`,
    )
    .join('');
  const vars = Object.entries(pack.vars);
  const count = (s: string) => pack.cases.filter((c) => c.status === s).length;
  return `<section class="pack">
<h2>${h(pack.label)}</h2>
<p><b>${rich(pack.pack.title)}</b> — ${rich(pack.pack.description)}</p>
<p>${count('passed')} passed, ${count('failed')} failed, ${count('error')} errors, ${count('skipped')} skipped of ${pack.cases.length} cases in ${(pack.durationMs / 1000).toFixed(1)} s. Pack: <code>${h(pack.pack.dir)}</code></p>
<h3>Roles</h3>
<table class="meta"><tr><th>role</th><th>end point</th><th>name</th><th>address</th><th>broker user</th><th>acks</th></tr>${roles}</table>
${vars.length ? `<h3>Variables</h3><table class="meta">${vars.map(([k, v]) => `<tr><th>${h(k)}</th><td>${h(v)}</td></tr>`).join('')}</table>` : ''}
<h3>Requirements</h3>
${coverage(pack)}
${pack.setup ? `<h3>Setup</h3>${caseSection(pack.label, pack.setup)}` : ''}
<h3>Cases</h3>
${pack.cases.map((c) => caseSection(pack.label, c)).join('\n')}
</section>`;
}

/** The self-test's faulty routers: what each did wrong and which cases caught it. */
function faultSection(run: HarnessRun): string {
  const faults = run.faultyRouters ?? [];
  if (faults.length === 0) return '';
  const rows = faults
    .map((f) => {
      const caught = f.caughtBy.length > 0;
      const by = f.caughtBy
        .map(
          (c) =>
            `<div><b>${h(c.id)}</b> (${h(c.requirement)}): <span class="detail">${h(c.summary)}</span></div>`,
        )
        .join('');
      const notRun = f.notRun
        .map((c) => `<div class="muted">${h(c.id)} not run: ${h(c.reason)}</div>`)
        .join('');
      return `<tr class="${caught ? 'passed' : 'failed'}"><td><b>${h(f.fault)}</b></td><td>${h(f.does)}</td><td>${h(f.breaks)}</td><td>${h(f.cases.join(', '))}</td><td>${caught ? badge('caught') : badge('not caught')}${by}${notRun}</td></tr>`;
    })
    .join('');
  const caught = faults.filter((f) => f.caughtBy.length > 0).length;
  return `<section class="faults"><h2>Faulty routers: ${caught} of ${faults.length} caught</h2>
<p>The router was restarted with one deliberate fault at a time (src/tools/harness/faults/, reachable from the self-test only) and the cases named for it were run; a fault is caught when at least one of them fails.</p>
<table class="coverage"><tr><th>fault</th><th>what the router does wrong</th><th>clauses broken</th><th>cases run</th><th>caught by</th></tr>${rows}</table></section>`;
}

const software = (s: RunEnvironment['router']): string =>
  !s
    ? 'not stated (harness run --router-version)'
    : 'stated' in s
      ? `${s.stated} (as stated by whoever ran the harness)`
      : [s.version, s.commit ? `commit ${s.commit}` : '', s.build ?? '']
          .filter(Boolean)
          .join(' · ');

/** What an assurance team asks first: against what, with what, when and where. */
function environmentTable(run: HarnessRun): string {
  const e = run.environment;
  const rows: [string, string][] = [
    ['contract', `${e.contract} (docs/contract.md)`],
    ['router under test', software(e.router)],
    ['router store', e.store ?? 'not known to the harness'],
    ['harness', software(e.harness)],
    ['Node.js', e.node],
    ['broker', e.broker ?? 'not known (no connection opened)'],
    ['run', `${run.startedAt} on ${e.host} (${e.platform})`],
  ];
  return `<table class="meta">${rows.map(([k, v]) => `<tr><th>${h(k)}</th><td>${rich(v)}</td></tr>`).join('')}</table>`;
}

export function htmlReport(run: HarnessRun): string {
  const t = run.totals;
  const ok =
    t.total > 0 &&
    t.passed === t.total &&
    (run.faultyRouters ?? []).every((f) => f.caughtBy.length > 0);
  const target = run.target;
  const endpoints = target.endpoints
    .map(
      (e) =>
        `<tr><td>${h(e.id)}</td><td>${h(e.name)}</td><td>${h(e.addresses.join(', '))}</td><td>${h(e.acks)}</td></tr>`,
    )
    .join('');
  const failures = run.packs.flatMap((p) =>
    p.cases
      .filter((c) => c.status === 'failed' || c.status === 'error')
      .map(
        (c) =>
          `<li><a href="#${anchor(p.label, c.id)}">${h(p.label)} ${h(c.id)}</a> ${rich(c.title)}: ${c.failure ? `<b>${h(c.failure.requirement.id)}</b> broke — ${h(c.failure.summary)}` : h(c.reason ?? '')}</li>`,
      ),
  );
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>ITK accreditation evidence — ${ok ? 'PASSED' : 'FAILED'}</title>
<style>${REPORT_CSS}</style></head>
<body>
<header class="${ok ? 'passed' : 'failed'}">
<h1>ITK accreditation evidence: ${ok ? 'every case passed' : 'FAILED'}</h1>
<p>${t.passed} passed, ${t.failed} failed, ${t.error} errors, ${t.skipped} skipped of ${t.total} cases · checked against ${h(run.environment.contract)} · ${h(run.startedAt)} · ${(run.durationMs / 1000).toFixed(1)} s · ${h(run.tool)}</p>
</header>
<main>
${failures.length ? `<section class="summary"><h2>What broke</h2><ul>${failures.join('')}</ul></section>` : ''}
<section><h2>Evidence of</h2>
${environmentTable(run)}
</section>
<section><h2>Router under test</h2>
<table class="meta">
<tr><th>broker</th><td>${h(target.broker)}</td></tr>
<tr><th>vhost</th><td>${h(target.vhost)}</td></tr>
<tr><th>name prefix</th><td>${h(target.prefix)}</td></tr>
<tr><th>routes</th><td>${h(target.routes)}</td></tr>
<tr><th>router address / identity</th><td>${h(target.routerAddress)} / ${h(target.routerIdentity)}</td></tr>
<tr><th>quarantine read</th><td>${target.quarantineRead ? 'yes' : 'no (cases that need it are skipped)'}</td></tr>
</table>
<table class="meta"><tr><th>end point</th><th>name</th><th>addresses</th><th>acks</th></tr>${endpoints}</table>
${run.notes.length ? `<ul class="notes">${run.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>` : ''}
</section>
${run.packs.map(packSection).join('\n')}
${faultSection(run)}
</main>
<footer>Each message was checked by the project's validator (the five stages of docs/contract.md, Validation); message bodies are shown exactly as sent or received. Printing (or "print to PDF") expands every case and message.</footer>
</body></html>
`;
}
