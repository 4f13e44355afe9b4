/**
 * deploy/prometheus/alerts.yml: valid rules (`promtool check rules`), each alert's unit tests pass
 * (`promtool test rules alerts.test.yml`), every alert has a test that expects it to fire, and a
 * runbook entry in docs/operations.md. promtool comes with Debian's `prometheus` package, which
 * .ci/run installs where it is missing: under CI a missing promtool fails this test; on a
 * developer's machine without it the promtool checks are skipped (the rest still run).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { PACKAGE_ROOT } from '../../support/router-process.js';

const RULES = path.join(PACKAGE_ROOT, 'deploy', 'prometheus', 'alerts.yml');
const TESTS = path.join(PACKAGE_ROOT, 'deploy', 'prometheus', 'alerts.test.yml');
const OPERATIONS = path.join(PACKAGE_ROOT, 'docs', 'operations.md');

const hasPromtool = spawnSync('promtool', ['--version']).status === 0;
const underCi = process.env.CI === 'true';

interface Rule {
  alert?: string;
  expr: string;
  annotations?: Record<string, string>;
}
interface TestGroup {
  name: string;
  alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[];
}

const alerts = (parse(fs.readFileSync(RULES, 'utf8')) as { groups: { rules: Rule[] }[] }).groups
  .flatMap((g) => g.rules)
  .filter((r): r is Rule & { alert: string } => r.alert !== undefined);
const tests = (parse(fs.readFileSync(TESTS, 'utf8')) as { tests: TestGroup[] }).tests;

test('promtool is installed where CI runs (.ci/run installs Debian package prometheus)', () => {
  if (underCi) expect(hasPromtool).toBe(true);
});

const withPromtool = hasPromtool ? test : test.skip;

withPromtool('promtool check rules: the rules file is valid', () => {
  const run = spawnSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
  expect(run.stdout + run.stderr).toContain(`SUCCESS: ${alerts.length} rules found`);
  expect(run.status).toBe(0);
});

withPromtool('promtool test rules: every unit test of alerts.test.yml passes', () => {
  const run = spawnSync('promtool', ['test', 'rules', TESTS], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stdout + run.stderr);
  expect(run.stdout).toContain('SUCCESS');
});

test('the rules cover the issue: down, not ready, silence, nacks, quarantine, acks, backlog, p99, retries', () => {
  expect(alerts.map((a) => a.alert).sort()).toEqual(
    [
      'ItkAcksOverdue',
      'ItkEndpointBacklogGrowing',
      'ItkInboundBacklogGrowing',
      'ItkLatencyP99High',
      'ItkMessagesRequeued',
      'ItkNackRateHigh',
      'ItkPoisonMessage',
      'ItkQuarantineGrowing',
      'ItkRetryingInPlace',
      'ItkRouterDown',
      'ItkRouterNoMessages',
      'ItkRouterNotReady',
    ].sort(),
  );
});

test.each(alerts.map((a) => [a.alert, a] as const))(
  '%s has a unit test that expects it to fire and one that expects it quiet',
  (name) => {
    const cases = tests.flatMap((t) => t.alert_rule_test ?? []).filter((c) => c.alertname === name);
    expect(cases.some((c) => (c.exp_alerts ?? []).length > 0)).toBe(true);
    expect(cases.some((c) => (c.exp_alerts ?? []).length === 0)).toBe(true);
  },
);

test.each(alerts.map((a) => [a.alert, a] as const))(
  '%s links to its runbook entry in docs/operations.md',
  (name, rule) => {
    const anchor = `runbook-${name.toLowerCase()}`;
    expect(rule.annotations?.runbook).toBe(`docs/operations.md#${anchor}`);
    const headings = fs
      .readFileSync(OPERATIONS, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('#'))
      .map((l) =>
        l
          .replace(/^#+\s*/, '')
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      );
    expect(headings).toContain(anchor);
  },
);
