/**
 * The dashboard and the alert rules name only metrics the router exports (issue 17): a router on a
 * vhost of its own processes a delivered message and a nacked one, then every itk_* metric named
 * by a query of deploy/grafana/itk-router.json or a rule of deploy/prometheus/alerts.yml must be
 * in its /metrics. Also: the dashboard is valid JSON with the panels the operations page lists.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { startRouterHarness, type StartedRouterHarness } from '../support/router-harness.js';
import { PACKAGE_ROOT } from '../support/router-process.js';
import { cda } from './pipeline/de-messages.js';

const DASHBOARD = path.join(PACKAGE_ROOT, 'deploy', 'grafana', 'itk-router.json');
const RULES = path.join(PACKAGE_ROOT, 'deploy', 'prometheus', 'alerts.yml');

interface Panel {
  title: string;
  targets?: { expr: string }[];
  panels?: Panel[];
}
interface Dashboard {
  panels: Panel[];
  templating: { list: { query?: string | { query: string } }[] };
}

const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as Dashboard;
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const dashboardQueries = [
  ...panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
  ...dashboard.templating.list.flatMap((v) =>
    v.query === undefined ? [] : [typeof v.query === 'string' ? v.query : v.query.query],
  ),
].filter((q) => q && !/^prometheus$/.test(q));
const ruleQueries = (
  parse(fs.readFileSync(RULES, 'utf8')) as { groups: { rules: { expr: string }[] }[] }
).groups.flatMap((g) => g.rules.map((r) => r.expr));

/** Metric names in a PromQL query: itk_* names, and `up` (which Prometheus makes itself). */
const metricsIn = (query: string) => [...new Set(query.match(/\bitk_[a-z0-9_]+\b/g) ?? [])];

let h: StartedRouterHarness;
let exported: Set<string>;
beforeAll(async () => {
  h = await startRouterHarness();
  const delivered = cda();
  await h.publish('gp', delivered.bytes);
  await h.takeOne(h.queue('riverside-community'));
  await h.publish('gp', Buffer.from('not XML')); // a nack and a quarantine copy
  await h.takeOne(h.queue('riverside-gp'));
  await h.takeOne(h.names.quarantineQueue);
  const res = await fetch(`http://127.0.0.1:${h.router.httpPort}/metrics`);
  const text = await res.text();
  exported = new Set(
    text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(l)![0]),
  );
}, 120_000);
afterAll(() => h?.stop(), 60_000);

test('the dashboard is valid JSON with a query in every panel', () => {
  expect(panels.length).toBeGreaterThan(5);
  for (const p of panels) expect((p.targets ?? []).length).toBeGreaterThan(0);
  expect(panels.map((p) => p.title)).toEqual(
    expect.arrayContaining([
      'Throughput by service and outcome',
      'Nacks by code',
      'Latency percentiles',
      'Quarantine depth',
      'Acks overdue',
      'Backlog per end point',
    ]),
  );
});

test('every metric a dashboard query names is in the /metrics of a running router', () => {
  const named = [...new Set(dashboardQueries.flatMap(metricsIn))];
  expect(named.length).toBeGreaterThan(8);
  expect(named.filter((m) => !exported.has(m))).toEqual([]);
});

test('every metric an alert rule names is in the /metrics of a running router (or is `up`)', () => {
  const named = [...new Set(ruleQueries.flatMap(metricsIn))];
  expect(named.filter((m) => !exported.has(m))).toEqual([]);
  // The only other series the rules read is Prometheus's own `up` of the router's scrape job.
  const others = ruleQueries
    .filter((q) => metricsIn(q).length === 0)
    .map((q) => q.replace(/\s+/g, ' ').trim());
  expect(others).toEqual(['up{job="itk-router"} == 0']);
});

test('the backlog and readiness gauges report the end points and the ready state', () => {
  expect(exported).toContain('itk_ready');
  expect(exported).toContain('itk_endpoint_backlog');
  expect(exported).toContain('itk_outage_retries_total');
});
