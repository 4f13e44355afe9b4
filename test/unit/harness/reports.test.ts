/** The reports: JUnit XML for CI, the self-contained HTML evidence, progress lines. */
import {
  htmlReport,
  junitXml,
  plainProgress,
  type CaseResult,
  type HarnessRun,
  type PackRun,
} from '../../../src/tools/harness/index.js';
import { totalsOf } from '../../../src/tools/harness/results.js';
import { parseUntrusted } from '../../../src/router/04-validation/xml-engine.js';

const HOSTILE = '<itk:x>ok</itk:x></pre><script>alert("x")</script>\u0000&amp;';
const REQ = {
  id: 'SUP-ACK-01',
  title: 'Never acknowledge an acknowledgement',
  text: 'An inf ack is never acknowledged.',
  ref: 'docs/contract.md, Acknowledgements',
};

const failed: CaseResult = {
  id: 'SUP-ACK-001',
  title: 'A positive inf ack is never acknowledged',
  requirements: [REQ],
  status: 'failed',
  startedAt: '2026-11-25T10:00:00.000Z',
  durationMs: 1012,
  origin: { file: '/packs/supplier-careplans/cases/01-acknowledgements.yaml', line: 62 },
  steps: [
    {
      index: 1,
      kind: 'send',
      title: 'send inf-ack.xml as peer',
      status: 'passed',
      startMs: 0,
      durationMs: 3,
      messages: [1],
      origin: { file: '/p/c.yaml', line: 66 },
    },
    {
      index: 2,
      kind: 'expectNothing',
      title: 'expect nothing at peer for 1 s',
      status: 'failed',
      startMs: 3,
      durationMs: 12,
      messages: [2],
      checks: [{ what: 'no message naming A-1', ok: false, actual: 'names A-1' }],
      origin: { file: '/p/c.yaml', line: 71 },
    },
  ],
  messages: [
    {
      n: 1,
      direction: 'sent',
      atMs: 0,
      time: '2026-11-25T10:00:00.000Z',
      endpoint: 'riverside-community',
      role: 'peer',
      brokerUser: 'u',
      userIdSet: true,
      body: '<a/>',
      bytes: 4,
      properties: {},
      headers: {},
      summary: 'an inf ack (OK) of X',
      valid: true,
      problems: [],
      step: 1,
    },
    {
      n: 2,
      direction: 'received',
      atMs: 13,
      time: '2026-11-25T10:00:00.013Z',
      endpoint: 'riverside-community',
      role: 'peer',
      queue: 'itk.endpoint.riverside-community',
      body: HOSTILE,
      bytes: HOSTILE.length,
      properties: { messageId: 'B-2' },
      headers: { 'itk-sender': 'riverside-gp' },
      summary: 'an inf ack (OK) of A-1 <from gp>',
      valid: false,
      problems: ['1000 XML-WELLFORMED: bad'],
      offending: true,
    },
  ],
  failure: {
    requirement: REQ,
    step: 2,
    stepTitle: 'expect nothing at peer for 1 s',
    summary: 'an inf ack (OK) of A-1 arrived at peer, where nothing should',
    checks: [{ what: 'no message naming A-1', ok: false, actual: 'names A-1' }],
    offending: 2,
  },
};

const passed: CaseResult = {
  ...failed,
  id: 'SUP-REQ-002',
  title: 'not-found',
  status: 'passed',
  steps: [],
  messages: [],
  failure: undefined,
  requirements: [{ id: 'SUP-REQ-02', title: 'not found' }],
} as CaseResult;
const skipped: CaseResult = {
  ...passed,
  id: 'SUP-X',
  status: 'skipped',
  reason: 'needs the locator',
};

const pack: PackRun = {
  pack: {
    name: 'supplier-careplans',
    title: 'Supplier',
    description: 'd',
    target: 'supplier',
    dir: '/packs/supplier-careplans',
    requirements: [REQ, { id: 'SUP-REQ-02', title: 'not found' }],
  },
  label: 'supplier-careplans (supplier: riverside-gp)',
  roles: [
    {
      role: 'supplier',
      endpoint: 'riverside-gp',
      name: 'GP',
      address: 'urn:a',
      brokerUser: 'u',
      acks: 'endpoint',
    },
  ],
  underTest: 'riverside-gp',
  vars: { shareWithin: '15s' },
  cases: [failed, passed, skipped],
  startedAt: '2026-11-25T10:00:00.000Z',
  durationMs: 3000,
};

const run: HarnessRun = {
  tool: 'itk-router harness 0.1.0',
  environment: {
    contract: 'contract 2026-12',
    harness: { version: '0.1.0', commit: 'abc123', build: 'run from source (not built)' },
    router: { stated: 'other-router 2.3 `beta`' },
    node: 'v20.0.0',
    broker: 'RabbitMQ 3.13.7',
    host: 'test-host',
    platform: 'Linux 6 (x64)',
  },
  startedAt: '2026-11-25T10:00:00.000Z',
  durationMs: 3100,
  target: {
    broker: 'amqp://guest:***@127.0.0.1:5672/v',
    vhost: 'v',
    prefix: 'itk',
    routes: '/r',
    routerAddress: 'urn:r',
    routerIdentity: 'urn:i',
    quarantineRead: true,
    endpoints: [],
  },
  notes: ['self-test <note>'],
  packs: [pack],
  totals: totalsOf([pack]),
};

test('totals', () => {
  expect(run.totals).toEqual({ total: 3, passed: 1, failed: 1, skipped: 1, error: 0 });
});

test('JUnit: well-formed XML, the failure typed by the broken requirement, with the offending message', () => {
  const xml = junitXml(run);
  parseUntrusted(Buffer.from(xml)).dispose();
  expect(xml).toContain(
    '<testsuites name="itk-router harness 0.1.0" tests="3" failures="1" errors="0" skipped="1"',
  );
  expect(xml).toContain(
    '<testsuite name="supplier-careplans (supplier: riverside-gp)" tests="3" failures="1"',
  );
  expect(xml).toMatch(
    /<failure message="SUP-ACK-01 broke: an inf ack \(OK\) of A-1 arrived at peer, where nothing should" type="SUP-ACK-01">/,
  );
  expect(xml).toContain('Offending message #2: received at riverside-community');
  expect(xml).toContain('&lt;/pre&gt;&lt;script&gt;');
  expect(xml).not.toContain('\u0000');
  expect(xml).toContain('<skipped message="needs the locator"/>');
  expect(xml).toContain(
    '<property name="requirement" value="SUP-ACK-01 Never acknowledge an acknowledgement"/>',
  );
});

test('HTML: self-contained, every body escaped, the broken requirement and the offending message shown', () => {
  const html = htmlReport(run);
  expect(html).not.toMatch(/<script|<link|src=|@import/i);
  expect(html).toContain('&lt;/pre&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  expect(html).not.toContain('\u0000');
  expect(html).toContain('ITK accreditation evidence: FAILED');
  expect(html).toContain(
    '<b>Requirement broken: SUP-ACK-01</b> — Never acknowledge an acknowledgement',
  );
  expect(html).toContain('An inf ack is never acknowledged.');
  expect(html).toContain('OFFENDING');
  expect(html).toContain('an inf ack (OK) of A-1 &lt;from gp&gt;');
  expect(html).toContain('INVALID: 1000 XML-WELLFORMED: bad');
  expect(html).toContain('self-test &lt;note&gt;');
  // the coverage table links every requirement to its cases
  expect(html).toMatch(/<tr class="failed"><td><b>SUP-ACK-01<\/b>/);
  expect(html).toMatch(/<tr class="skipped"><td><b>SUP-REQ-02<\/b>/);
  const passing = htmlReport({
    ...run,
    packs: [{ ...pack, cases: [passed] }],
    totals: totalsOf([{ ...pack, cases: [passed] }]),
  });
  expect(passing).toContain('ITK accreditation evidence: every case passed');
});

test('plain progress: one line per case, with what broke', () => {
  const lines: string[] = [];
  const progress = plainProgress((t) => lines.push(t));
  progress.begin(2);
  progress.caseEnd(pack.label, passed);
  progress.caseEnd(pack.label, failed);
  expect(lines.join('')).toBe(
    '[1/2] PASS supplier-careplans (supplier: riverside-gp) SUP-REQ-002 not-found (1012 ms)\n' +
      '[2/2] FAIL supplier-careplans (supplier: riverside-gp) SUP-ACK-001 A positive inf ack is never acknowledged (1012 ms)\n' +
      '      SUP-ACK-01 (Never acknowledge an acknowledgement) broke at step 2: an inf ack (OK) of A-1 arrived at peer, where nothing should\n',
  );
});
