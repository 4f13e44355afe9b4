/** The dashboard, quarantine, overdue acks, care plans, routes and audit pages' contents. */
import type { auditPage, stats } from '../api-overview.js';
import type { carePlansOf, overdueAcks } from '../api-operations.js';
import type { Principal } from '../auth.js';
import type { QuarantineListing } from '../quarantine-console.js';
import { forRole } from '../redact.js';
import { allows } from '../roles.js';
import { barChart, columnChart } from './charts.js';
import { html, when, type Html } from './html.js';
import { table } from './layout.js';

type Stats = Awaited<ReturnType<typeof stats>>;

const bars = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([label, value]) => ({ label, value }));

export function dashboardView(s: Stats): Html {
  const throughput = s.throughput.map((b) => ({
    label: when(b.at).slice(11, 16),
    value: b.received,
  }));
  const total = throughput.reduce((a, b) => a + b.value, 0);
  const figure = (label: string, value: string | number, warn = false) =>
    html`<div class="figure${warn ? ' warn' : ''}">
      <span class="value">${value}</span><span class="label">${label}</span>
    </div>`;
  return html`<p>The last ${s.window}, from ${when(s.since)} to ${when(s.until)}.</p>
    <section class="figures" aria-label="At a glance">
      ${figure('messages received', total)}
      ${figure('quarantined (on the queue)', s.quarantineDepth ?? 'unknown', (s.quarantineDepth ?? 0) > 0)}
      ${figure('inf acks overdue', s.acksOverdue.inf, s.acksOverdue.inf > 0)}
      ${figure('business acks overdue', s.acksOverdue.bus, s.acksOverdue.bus > 0)}
      ${figure('latency p50 / p99 (ms)', s.latencyMs.p50 === null ? 'n/a' : `${s.latencyMs.p50} / ${s.latencyMs.p99}`)}
      ${figure('broker', s.broker, s.broker !== 'connected')}
      ${figure('store', s.store, s.store !== 'ok')}
    </section>
    <section aria-labelledby="h-throughput">
      <h2 id="h-throughput">Throughput (messages received per ${s.bucketSeconds / 60} min)</h2>
      ${columnChart('Messages received over time', throughput)}
    </section>
    <div class="two">
      <section aria-labelledby="h-outcomes">
        <h2 id="h-outcomes">Outcomes</h2>
        ${barChart('Outcomes', bars(s.outcomes))}
      </section>
      <section aria-labelledby="h-nacks">
        <h2 id="h-nacks">Nacks by code</h2>
        ${barChart('Nacks by code', bars(s.nacksByCode))}
      </section>
    </div>`;
}

export function quarantineView(q: QuarantineListing, p: Principal): Html {
  const operator = allows(p.role, 'operator');
  const rows = q.entries.map(
    (e) =>
      html`<tr>
        ${operator ? html`<td><input type="checkbox" name="entry" value="${e.id}" aria-label="Select ${e.id}" /></td>` : ''}
        <td><code>${e.id}</code></td>
        <td>${e.code ?? ''}</td>
        <td>${forRole(p.role, e.text) ?? ''}</td>
        <td>${e.sender ?? '(unknown)'}</td>
        <td>
          ${e.trackingId ? html`<a href="/console/messages/${encodeURIComponent(e.trackingId)}">${e.trackingId}</a>` : ''}
        </td>
        <td>${when(e.when?.toISOString())}</td>
        ${operator ? html`<td><button type="button" data-replay="${e.id}">Replay</button> <button type="button" class="danger" data-purge="${e.id}">Purge</button></td>` : ''}
      </tr>`,
  );
  const head = ['Entry', 'Code', 'Reason', 'Sender', 'Tracking id', 'When'];
  return html`<p>${q.depth} message(s) on the quarantine queue.</p>
    ${
      operator
        ? html`<form id="bulk" class="bulk">
            <label for="reason">Reason (recorded in the audit log)</label
            ><input id="reason" name="reason" required maxlength="500" />
            <button type="button" data-bulk="replay">Replay selected</button>
            <button type="button" class="danger" data-bulk="purge">Purge selected</button>
          </form>`
        : html`<p class="note">Replay and purge are for operators.</p>`
    }
    <div role="status" id="outcome" aria-live="polite"></div>
    ${table('Quarantined messages', operator ? ['Select', ...head, 'Actions'] : head, rows)}`;
}

export function overdueView(o: Awaited<ReturnType<typeof overdueAcks>>): Html {
  const rows = o.overdue.map(
    (a) =>
      html`<tr>
        <td><a href="/console/messages/${encodeURIComponent(a.trackingId)}">${a.trackingId}</a></td>
        <td>${a.sender ?? '(unknown)'}</td>
        <td>${a.ack}</td>
        <td>${a.from}</td>
        <td>${when(a.due)}</td>
        <td>${Math.round(a.lateSeconds / 60)} min</td>
      </tr>`,
  );
  return table(
    'Acks past their deadline, not received',
    ['Tracking id', 'Sender', 'Ack', 'From (not received)', 'Due', 'Late'],
    rows,
  );
}

export function carePlanView(
  nhsNumber: string | undefined,
  found: Awaited<ReturnType<typeof carePlansOf>> | undefined,
  problem?: string,
): Html {
  return html`<form method="get" action="/console/careplans" role="search">
      <label for="nhs">NHS number</label>
      <input
        id="nhs"
        name="nhsNumber"
        inputmode="numeric"
        pattern="[0-9]{10}"
        required
        value="${nhsNumber ?? ''}"
        aria-describedby="nhs-hint"
      />
      <span id="nhs-hint" class="hint">10 digits. Each lookup is recorded in the audit log.</span>
      <button type="submit">Look up</button>
    </form>
    ${problem ? html`<p class="error" role="alert">${problem}</p>` : ''}
    ${
      found
        ? found.plans.length === 0
          ? html`<p class="empty">No plan in the index for ${found.nhsNumber}.</p>`
          : found.plans.map(
              (pl) =>
                html`<section class="plan">
                  <h2>
                    ${pl.title}
                    <small>(${pl.planType}, ${pl.status}${pl.closed ? ', closed' : ''})</small>
                  </h2>
                  <dl class="facts">
                    <dt>Plan id</dt>
                    <dd><code>${pl.planId}</code></dd>
                    <dt>Owner</dt>
                    <dd>${pl.owner} (${pl.ownerAddress})</dd>
                    <dt>Version</dt>
                    <dd>${pl.version}</dd>
                    <dt>Consent to share</dt>
                    <dd>${pl.consentToShare ? 'yes' : 'no'}</dd>
                    <dt>Last updated</dt>
                    <dd>${pl.lastUpdated}</dd>
                  </dl>
                  ${table(
                    'Version history',
                    ['Version', 'Event', 'By', 'Tracking id', 'At'],
                    pl.versions.map(
                      (v) =>
                        html`<tr>
                          <td>${v.version}</td>
                          <td>${v.event}</td>
                          <td>${v.by}</td>
                          <td>
                            <a href="/console/messages/${encodeURIComponent(v.trackingId)}"
                              >${v.trackingId}</a
                            >
                          </td>
                          <td>${when(v.at)}</td>
                        </tr>`,
                    ),
                  )}
                </section>`,
            )
        : ''
    }`;
}

interface RoutesShape {
  endpoints?: { id: string; name?: string; addresses?: string[]; acks?: string }[];
  routes?: {
    name: string;
    when?: unknown;
    copyTo?: string[];
    reject?: { code: string; text: string };
  }[];
}

export function routesView(r: RoutesShape): Html {
  return html`${table(
    'End points',
    ['Id', 'Name', 'Addresses', 'Acks'],
    (r.endpoints ?? []).map(
      (e) =>
        html`<tr>
          <td><code>${e.id}</code></td>
          <td>${e.name ?? ''}</td>
          <td>${(e.addresses ?? []).join(', ')}</td>
          <td>${e.acks ?? ''}</td>
        </tr>`,
    ),
  )}
  ${table(
    'Routes, in order',
    ['Name', 'When', 'Then'],
    (r.routes ?? []).map(
      (x) =>
        html`<tr>
          <td>${x.name}</td>
          <td><code>${JSON.stringify(x.when ?? {})}</code></td>
          <td>
            ${x.reject ? `reject ${x.reject.code}: ${x.reject.text}` : x.copyTo ? `copy to ${x.copyTo.join(', ')}` : ''}
          </td>
        </tr>`,
    ),
  )}`;
}

export function auditView(a: Awaited<ReturnType<typeof auditPage>>, user?: string): Html {
  return html`<form method="get" action="/console/audit" role="search">
      <label for="a-user">User</label><input id="a-user" name="user" value="${user ?? ''}" />
      <button type="submit">Filter</button>
    </form>
    ${table(
      'Audit log, newest first',
      ['When', 'User', 'Role', 'Action', 'Target', 'Detail', 'Outcome', 'From'],
      a.entries.map(
        (e) =>
          html`<tr>
            <td>${when(e.at)}</td>
            <td>${e.user}</td>
            <td>${e.role ?? ''}</td>
            <td>${e.action}</td>
            <td>${e.target ?? ''}</td>
            <td>${e.detail ?? ''}</td>
            <td>${e.outcome}</td>
            <td>${e.client}</td>
          </tr>`,
      ),
    )}
    ${a.next ? html`<p><a rel="next" href="/console/audit?cursor=${a.next}${user ? `&user=${encodeURIComponent(user)}` : ''}">Older entries</a></p>` : ''}`;
}
