/** Loading packs: the bundled ones, and a broken one refused with every problem and its line. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundledPacks, loadPack, PackError } from '../../../src/tools/harness/index.js';
import { CONTRACT_VERSION } from '../../../src/tools/harness/environment.js';

const contract = fs.readFileSync(path.join('docs', 'contract.md'), 'utf8');
const CLAUSE = /\[(C-[A-Z]+-\d+)\]/g;

test('every requirement of the accreditation packs cites a clause of docs/contract.md that exists, or TKW', () => {
  expect(contract).toContain(`**Version: ${CONTRACT_VERSION}.**`);
  const defined = new Set([...contract.matchAll(/\*\*\[(C-[A-Z]+-\d+)\]\*\*/g)].map((m) => m[1]));
  expect(defined.size).toBeGreaterThan(50);
  for (const name of ['router-conformance', 'supplier-careplans']) {
    for (const r of loadPack(name).requirements) {
      const cited = [...(r.ref ?? '').matchAll(CLAUSE)].map((m) => m[1]!);
      expect(
        `${r.id}: ${cited.length > 0 || /TKW/.test(r.ref ?? '') ? 'cites' : 'cites nothing'}`,
      ).toBe(`${r.id}: cites`);
      for (const c of cited)
        expect(`${r.id} cites ${c}: ${defined.has(c) ? 'defined' : 'undefined'}`).toBe(
          `${r.id} cites ${c}: defined`,
        );
    }
  }
  // the clauses cited in the packs' comments exist too
  for (const file of fs.readdirSync(path.join('packs', 'router-conformance', 'cases'))) {
    const text = fs.readFileSync(path.join('packs', 'router-conformance', 'cases', file), 'utf8');
    for (const m of text.matchAll(CLAUSE))
      expect(`${file} ${m[1]}: ${defined.has(m[1]) ? 'ok' : 'undefined'}`).toBe(
        `${file} ${m[1]}: ok`,
      );
  }
  // the router's own messages are known by their senderAddress, never by an itk-sender header
  const conformance = fs.readFileSync(
    path.join('packs', 'router-conformance', 'cases', '04-routes.yaml'),
    'utf8',
  );
  expect(conformance).not.toMatch(/copy:eolc/);
  for (const r of loadPack('itk-router-specifics').requirements)
    expect(r.ref).toMatch(/not fixed|this project|asks for/);
});

test('the bundled packs load: every case names defined requirements, every requirement is tested', () => {
  expect(bundledPacks()).toEqual([
    'itk-router-specifics',
    'router-conformance',
    'supplier-careplans',
    'web-services',
  ]);
  for (const name of bundledPacks()) {
    const pack = loadPack(name);
    const tested = new Set([
      ...pack.cases.flatMap((c) => c.requirements),
      ...pack.setup.flatMap((s) => s.requirement ?? []),
    ]);
    expect(pack.requirements.filter((r) => !tested.has(r.id)).map((r) => r.id)).toEqual([]);
  }
  const router = loadPack('router-conformance');
  expect(router.target).toBe('router');
  expect(router.cases.length).toBeGreaterThanOrEqual(30);
  const supplier = loadPack('supplier-careplans');
  expect(supplier.target).toBe('supplier');
  expect(supplier.setup.map((s) => s.kind)).toEqual(['action', 'expect']);
  const ws = loadPack('web-services');
  expect(ws.target).toBe('router');
  const kinds = new Set(ws.cases.flatMap((c) => c.steps.map((s) => s.kind)));
  expect([...kinds].sort()).toEqual([
    'call',
    'expect',
    'expectNack',
    'expectNothing',
    'send',
    'serve',
  ]);
});

test('a pack given by path; defaults filled in', () => {
  const pack = loadPack(path.join('packs', 'router-conformance'));
  const first = pack.cases[0]!;
  expect(first.steps[0]).toMatchObject({
    kind: 'send',
    id: 'note',
    as: 'gp',
    userId: true,
    freshTrackingId: true,
  });
  expect(first.steps[1]).toMatchObject({ kind: 'expect', at: 'community', within: 5000 });
  expect(first.origin.line).toBeGreaterThan(1);
});

describe('a broken pack', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-pack-'));
    fs.mkdirSync(path.join(dir, 'cases'));
    fs.writeFileSync(
      path.join(dir, 'pack.yaml'),
      [
        'name: broken',
        'title: A broken pack',
        'target: supplier',
        'roles: { peer: riverside-gp }',
        'requirements:',
        '  - { id: R-1, title: one }',
        '  - { id: R-1, title: again }',
        '',
      ].join('\n'),
    );
    fs.writeFileSync(
      path.join(dir, 'cases', 'a.yaml'),
      [
        'cases:',
        '  - id: C-1',
        '    title: first',
        '    requirements: [R-1, R-9]',
        '    steps:',
        '      - send: { as: nobody, template: missing.xml }',
        "      - expect: { at: peer, xpath: ['//zz:a'], within: soon }",
        "      - expectNack: { code: '4242', diagnostic: '(' }",
        '      - expectNothing: { at: peer, match: { infAck: { for: nosuch } } }',
        '  - id: C-1',
        '    title: again',
        '    requirements: [R-1]',
        '    steps:',
        '      - pause: 1s',
        '',
      ].join('\n'),
    );
    fs.writeFileSync(
      path.join(dir, 'cases', 'c.yaml'),
      [
        'cases:',
        '  - id: C-3',
        '    title: web services',
        '    requirements: [R-1]',
        '    steps:',
        "      - call: { as: peer, template: missing.xml, soap: { omit: ['wsa:Nope'], shift: soon } }",
        "      - call: { as: peer, file: pack.yaml, answer: { refused: true, status: 500, fault: { code: '4242' } } }",
        '      - serve: { at: peer, answers: [201] }',
        '',
      ].join('\n'),
    );
    // a file of the wrong shape is refused as a whole (its references are not checked)
    fs.writeFileSync(
      path.join(dir, 'cases', 'b.yaml'),
      'cases:\n  - id: C-2\n    title: odd\n    requirements: [R-1]\n    steps:\n      - expect: { at: peer, colour: blue }\n',
    );
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('is refused with every problem, each at its file and line', () => {
    let error: PackError | undefined;
    try {
      loadPack(dir);
    } catch (err) {
      error = err as PackError;
    }
    expect(error).toBeInstanceOf(PackError);
    const lines = error!.problems.map(
      (p) => `${path.basename(p.file)}:${p.line ?? '-'} ${p.message}`,
    );
    const has = (pattern: RegExp) => {
      if (!lines.some((l) => pattern.test(l)))
        throw new Error(`no problem matches ${pattern} in:\n${lines.join('\n')}`);
    };
    has(/b\.yaml:6 unknown key "colour"/);
    has(/a\.yaml:10 case C-1 is defined twice/);
    has(/pack\.yaml:- requirement R-1 is defined twice/);
    has(/must bind the role "supplier"/);
    has(/a\.yaml:2 unknown requirement R-9/);
    has(/a\.yaml:6 "nobody" is not a role the harness plays/);
    has(/a\.yaml:6 no file missing\.xml in the pack/);
    has(/a\.yaml:7 .*"soon" is not a duration/);
    has(/a\.yaml:7 XPath "\/\/zz:a": .*Undefined namespace prefix/);
    has(/a\.yaml:8 4242 is not an ITK error code/);
    has(/a\.yaml:8 .*Invalid regular expression/);
    has(/a\.yaml:9 no earlier send "nosuch"/);
    has(/c\.yaml:6 wsa:Nope is not an element of the request's SOAP header/);
    has(/c\.yaml:6 .*"soon" is not a duration/);
    has(/c\.yaml:6 no file missing\.xml in the pack/);
    has(/c\.yaml:7 4242 is not a Toolkit code/);
    has(/c\.yaml:7 a refused handshake has no status or fault/);
    has(/c\.yaml:8 answer "201": expected 200, 202, 503 or "fault/);
  });
});

test('an unknown pack name is a PackError', () => {
  expect(() => loadPack('no-such-pack')).toThrow(PackError);
});
