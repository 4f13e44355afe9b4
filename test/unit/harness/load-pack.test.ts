/** Loading packs: the bundled ones, and a broken one refused with every problem and its line. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundledPacks, loadPack, PackError } from '../../../src/harness/index.js';

test('the bundled packs load: every case names defined requirements, every requirement is tested', () => {
  expect(bundledPacks()).toEqual(['router-conformance', 'supplier-careplans']);
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
  });
});

test('an unknown pack name is a PackError', () => {
  expect(() => loadPack('no-such-pack')).toThrow(PackError);
});
