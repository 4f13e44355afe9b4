/**
 * Walks test/fixtures/manifest.yaml: every valid fixture passes with exactly its expected
 * warnings; every broken one is refused with exactly its expected (code, rule) findings, each
 * with a location.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import {
  createValidator,
  type CreateValidatorOptions,
} from '../../../src/router/04-validation/create-validator.js';
import type { Finding } from '../../../src/router/04-validation/finding.js';
import { FIXTURES, fixture, fixtureNames } from '../../support/fixture-files.js';
import { STOCK_PLAN_TYPES } from '../../support/plan-types.js';
import { conformanceProblems } from '../../support/conformance.js';

interface Entry {
  file: string;
  valid: boolean;
  warnings?: string[];
  errors?: { code: string; rule: string }[];
  options?: { maxMessageBytes?: number; maxDepth?: number; unknownPayloads?: 'pass' | 'refuse' };
}

const manifest = YAML.parse(fs.readFileSync(path.join(FIXTURES, 'manifest.yaml'), 'utf8')) as {
  fixtures: Entry[];
};

function validate(entry: Entry) {
  const options: CreateValidatorOptions = {
    planTypes: STOCK_PLAN_TYPES,
    limits: {
      maxMessageBytes: entry.options?.maxMessageBytes ?? 5 * 1024 * 1024,
      maxDepth: entry.options?.maxDepth ?? 100,
    },
    unknownPayloads: entry.options?.unknownPayloads ?? 'pass',
  };
  const validator = createValidator(options);
  try {
    return validator.validate(fixture(entry.file));
  } finally {
    validator.dispose();
  }
}

const pairs = (findings: readonly Finding[], severity: Finding['severity']) =>
  [
    ...new Set(findings.filter((f) => f.severity === severity).map((f) => `${f.code} ${f.rule}`)),
  ].sort();

describe('fixture corpus (test/fixtures/manifest.yaml)', () => {
  test('the manifest lists every fixture file, and the corpus is big enough', () => {
    const listed = new Set(manifest.fixtures.map((f) => f.file));
    for (const file of [
      ...fixtureNames('examples'),
      ...fixtureNames('valid'),
      ...fixtureNames('broken'),
      ...fixtureNames('options'),
      ...fixtureNames('real'),
    ]) {
      expect(listed).toContain(file);
    }
    // broken/ means broken with the default options (what `itk-router validate` uses); a file
    // refused only under an option lives in options/ and says which.
    const where = (f: Entry) => f.file.split('/')[0];
    expect(
      manifest.fixtures.filter((f) => where(f) === 'broken' && (f.valid || f.options)),
    ).toEqual([]);
    expect(manifest.fixtures.filter((f) => where(f) === 'options' && !f.options)).toEqual([]);
    expect(manifest.fixtures.filter((f) => !f.valid).length).toBeGreaterThanOrEqual(30);
    const codes = new Set(manifest.fixtures.flatMap((f) => f.errors?.map((e) => e.code) ?? []));
    for (let i = 1; i <= 12; i++) expect(codes).toContain(`DE${String(i).padStart(4, '0')}`);
  });

  test.each(manifest.fixtures.filter((f) => f.options).map((f) => [f.file, f] as const))(
    'option-dependent: %s passes with the default options',
    (_, entry) => {
      const result = validate({ ...entry, options: undefined });
      expect(pairs(result.findings, 'error')).toEqual([]);
      expect(result.valid).toBe(true);
    },
  );

  test.each(manifest.fixtures.filter((f) => f.valid).map((f) => [f.file, f] as const))(
    'valid: %s',
    (_, entry) => {
      const result = validate(entry);
      expect(pairs(result.findings, 'error')).toEqual([]);
      expect(result.valid).toBe(true);
      expect(
        [
          ...new Set(result.findings.filter((f) => f.severity === 'warning').map((f) => f.rule)),
        ].sort(),
      ).toEqual([...(entry.warnings ?? [])].sort());
    },
  );

  test.each(manifest.fixtures.filter((f) => !f.valid).map((f) => [f.file, f] as const))(
    'refused: %s',
    (_, entry) => {
      const result = validate(entry);
      expect(result.valid).toBe(false);
      expect(pairs(result.findings, 'error')).toEqual(
        [...new Set(entry.errors!.map((e) => `${e.code} ${e.rule}`))].sort(),
      );
      for (const f of result.findings.filter((x) => x.severity === 'error')) {
        expect(
          f.location.line ??
            f.location.path ??
            (f.rule === 'SAFE-SIZE' ? 'whole message' : undefined),
        ).toBeDefined();
        expect(f.text.length).toBeGreaterThan(0);
        expect(f.detail.length).toBeGreaterThan(0);
      }
    },
  );

  // The real corpus (test/fixtures/real/README.md): the router's verdict is the official schemas'
  // and TKW's DE rules' verdict (test/support/conformance.ts), message by message.
  test.each(
    manifest.fixtures.filter((f) => f.file.startsWith('real/')).map((f) => [f.file, f] as const),
  )('real message judged as the official schemas and TKW do: %s', (_, entry) => {
    const problems = conformanceProblems(fixture(entry.file));
    expect({ valid: validate(entry).valid, problems }).toEqual({
      valid: entry.valid,
      problems: entry.valid ? [] : expect.arrayContaining([expect.any(String)]),
    });
  });
});
