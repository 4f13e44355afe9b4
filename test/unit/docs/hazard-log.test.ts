/**
 * The clinical safety documents cannot drift from the code: every test they cite exists, with that
 * title, in that file; every source path they name exists; every hazard of the log has its parts,
 * its risks follow the DCB0129 matrix, and the summary table agrees with the sections.
 * Reads files only (no broker, no database): docs/clinical-safety/*.md and the test files they cite.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { citableNames, declaredTests, type DeclaredTest } from './test-titles.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const DOCS = path.join(ROOT, 'docs', 'clinical-safety');
const LOG = 'hazard-log.md';

const read = (file: string): string => fs.readFileSync(path.join(DOCS, file), 'utf8');
const documents = (): string[] => fs.readdirSync(DOCS).filter((f) => f.endsWith('.md'));

const SEVERITIES = ['minor', 'significant', 'considerable', 'major', 'catastrophic'] as const;
type Likelihood = 'very high' | 'high' | 'medium' | 'low' | 'very low';
/** DCB0129's matrix: a row per likelihood (very high first), a column per severity (minor first). */
const MATRIX: Record<Likelihood, readonly number[]> = {
  'very high': [3, 4, 4, 5, 5],
  high: [2, 3, 3, 4, 5],
  medium: [2, 2, 3, 3, 4],
  low: [1, 2, 2, 3, 4],
  'very low': [1, 1, 2, 2, 3],
};

interface Citation {
  readonly document: string;
  readonly line: number;
  readonly file: string;
  readonly name: string;
}

/**
 * `path/to/file.test.ts` `describe › title`: a test cited by file and title, the title a code span
 * (in double backticks when it holds a backtick itself: prettier chooses).
 */
const CITATION = /`([^`\s]+\.ts)` (`{1,2})(?!`)(.+?)(?<!`)\2(?!`)/g;
/** A path inside the repository, in backticks. */
const REPO_PATH =
  /`((?:src|test|docs|config|schemas|routes|packs|deploy|migrations|bench|scripts)\/[^`\s*<>]+)`/g;

function citationsIn(document: string): Citation[] {
  return read(document)
    .split('\n')
    .flatMap((text, i) =>
      [...text.matchAll(CITATION)].map((m) => ({
        document,
        line: i + 1,
        file: m[1]!,
        name: m[3]!,
      })),
    );
}

const declared = new Map<string, DeclaredTest[]>();
function testsOf(file: string): DeclaredTest[] | undefined {
  if (!declared.has(file)) {
    const full = path.join(ROOT, file);
    if (!fs.existsSync(full)) return undefined;
    declared.set(file, declaredTests(fs.readFileSync(full, 'utf8'), file));
  }
  return declared.get(file);
}

/** What is wrong with a citation, or undefined when the cited test exists and runs. */
function problemOf(c: Citation): string | undefined {
  const at = `${c.document}:${c.line}: ${c.file}`;
  if (!/^test\/.+\.(test|contract)\.ts$/.test(c.file)) return `${at} is not a test file`;
  const tests = testsOf(c.file);
  if (!tests) return `${at} does not exist`;
  const test = tests.find((t) => citableNames(t).includes(c.name));
  if (!test) return `${at} has no test titled "${c.name}"`;
  if (test.skipped) return `${at}: "${c.name}" is skipped`;
  return undefined;
}

interface Hazard {
  readonly id: string;
  readonly title: string;
  readonly body: string;
}

function hazards(): Hazard[] {
  const parts = read(LOG)
    .split(/^## (?=H\d{2}: )/m)
    .slice(1);
  return parts.map((part) => {
    const [heading, ...rest] = part.split('\n');
    const m = /^(H\d{2}): (.+)$/.exec(heading!)!;
    return { id: m[1]!, title: m[2]!, body: rest.join('\n') };
  });
}

function risk(h: Hazard, which: 'Initial' | 'Residual') {
  const m = new RegExp(
    `^- \\*\\*${which} risk:\\*\\* severity (\\w+), likelihood ([a-z ]+?), risk (\\d)$`,
    'm',
  ).exec(h.body);
  if (!m) return undefined;
  return { severity: m[1]!, likelihood: m[2]!, rating: Number(m[3]) };
}

function expectedRating(severity: string, likelihood: string): number | undefined {
  const column = SEVERITIES.indexOf(severity as (typeof SEVERITIES)[number]);
  const row = MATRIX[likelihood as Likelihood];
  return column < 0 || !row ? undefined : row[column];
}

const status = (h: Hazard) => /^- \*\*Status:\*\* (open|closed)$/m.exec(h.body)?.[1];

describe('the clinical safety documents cite only what the repository holds', () => {
  test('every cited test file and test title exists, and the test is not skipped', () => {
    const citations = documents().flatMap(citationsIn);
    expect(citations.length).toBeGreaterThan(50);
    expect(citations.map(problemOf).filter(Boolean)).toEqual([]);
  });

  test('every evidence line is a citation the check can read (file, then title)', () => {
    const unread = documents().flatMap((document) =>
      read(document)
        .split('\n')
        .map((text, i) => ({ text, at: `${document}:${i + 1}` }))
        .filter(({ text }) => /^\s*- `test\//.test(text) && !new RegExp(CITATION).test(text))
        .map(({ at }) => at),
    );
    expect(unread).toEqual([]);
  });

  test('every source, test and doc path named in backticks exists', () => {
    const missing = documents().flatMap((document) =>
      [...read(document).matchAll(REPO_PATH)]
        .map((m) => m[1]!)
        .filter((p) => !fs.existsSync(path.join(ROOT, p)))
        .map((p) => `${document}: ${p}`),
    );
    expect(missing).toEqual([]);
  });

  test('a citation of a missing test, title or file is caught', () => {
    const real = citationsIn(LOG)[0]!;
    expect(problemOf(real)).toBeUndefined();
    expect(problemOf({ ...real, name: `${real.name} (renamed)` })).toMatch(/has no test titled/);
    expect(problemOf({ ...real, file: 'test/unit/gone.test.ts' })).toMatch(/does not exist/);
    expect(problemOf({ ...real, file: 'src/router/main.ts' })).toMatch(/is not a test file/);
  });
});

describe('the hazard log (docs/clinical-safety/hazard-log.md)', () => {
  test('has every hazard of issue 20, numbered in order', () => {
    const ids = hazards().map((h) => h.id);
    expect(ids.length).toBeGreaterThanOrEqual(12);
    expect(ids).toEqual(ids.map((_, i) => `H${String(i + 1).padStart(2, '0')}`));
  });

  test.each(hazards().map((h) => [h.id, h] as const))(
    '%s has a cause, an effect, risks, a status, controls with tests, a residual risk and a DCB0160 part',
    (_, h) => {
      for (const part of ['Cause', 'Effect on the patient']) {
        expect(h.body).toMatch(new RegExp(`^- \\*\\*${part}:\\*\\* \\S`, 'm'));
      }
      for (const heading of [
        'Controls and their evidence',
        'Residual risk',
        'The deploying organisation (DCB0160)',
      ]) {
        expect(h.body).toContain(`\n### ${heading}\n`);
      }
      expect(status(h)).toBeDefined();
      // every numbered control cites a test, or says plainly that none proves it yet
      const controls = h.body
        .split(/^(?=\d+\. \*\*)/m)
        .slice(1)
        .map((c) => c.split(/^### /m)[0]!);
      expect(controls.length).toBeGreaterThan(0);
      for (const control of controls) {
        const cited = [...control.matchAll(CITATION)].length > 0;
        expect(cited || /No test yet/.test(control) ? 'evidenced' : control).toBe('evidenced');
      }
    },
  );

  test('every risk follows the DCB0129 matrix, and a control never raises one', () => {
    const wrong: string[] = [];
    for (const h of hazards()) {
      const initial = risk(h, 'Initial');
      const residual = risk(h, 'Residual');
      for (const [which, r] of [
        ['initial', initial],
        ['residual', residual],
      ] as const) {
        if (!r) wrong.push(`${h.id}: no ${which} risk line`);
        else if (expectedRating(r.severity, r.likelihood) !== r.rating) {
          wrong.push(`${h.id}: ${which} ${r.severity} × ${r.likelihood} is not risk ${r.rating}`);
        }
      }
      if (initial && residual && residual.rating > initial.rating) {
        wrong.push(`${h.id}: residual risk above the initial`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test('an open hazard names its open findings ("Open:" in its residual risk); a closed one has none', () => {
    const residual = (h: Hazard) =>
      h.body.split('\n### Residual risk\n')[1]?.split('\n### ')[0] ?? '';
    const mismatched = hazards()
      .filter((h) => (status(h) === 'open') !== /^Open: /m.test(residual(h)))
      .map((h) => `${h.id} (${status(h)})`);
    expect(mismatched).toEqual([]);
  });

  test('the matrix printed in the log is the DCB0129 matrix', () => {
    const rows = read(LOG)
      .split('\n')
      .map((line) => /^\| (very high|high|medium|low|very low) +\|(.+)\|$/.exec(line))
      .filter((m) => m !== null)
      .map((m) => [m[1], m[2]!.split('|').map((cell) => Number(cell.trim()))]);
    expect(Object.fromEntries(rows)).toEqual(MATRIX);
  });

  test('the summary table agrees with each hazard: title, initial and residual risk, status', () => {
    const summary = read(LOG)
      .split('\n')
      .map((line) => /^\| (H\d{2}) +\| (.+?) +\| (\d) +\| (\d) +\| (open|closed) +\|$/.exec(line))
      .filter((m) => m !== null)
      .map((m) => m.slice(1, 6).join(' | '));
    const sections = hazards().map((h) =>
      [h.id, h.title, risk(h, 'Initial')?.rating, risk(h, 'Residual')?.rating, status(h)].join(
        ' | ',
      ),
    );
    expect(summary).toEqual(sections);
  });
});
