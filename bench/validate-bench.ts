/**
 * Validation throughput: parse + all five stages (createValidator().validate) of a ~3 KB and a
 * ~60 KB care-plan notification, side by side with libxml2's own xmllint over the same files in
 * one process, and again with a large operator schema added to the catalogue ("flat as the
 * catalogue grows"). Prints figures only: no timed assertions.
 *
 *   npm run build && node dist/bench/validate-bench.js
 *
 * Options (environment): BENCH_RUN_MS (default 1000) minimum length of each of the 5 runs;
 * BENCH_OPERATOR_MB (default 1.5) size of the generated operator schema set.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { packagePath } from '../src/router/00-common/package-root.js';
import { createValidator, type Validator } from '../src/router/04-validation/create-validator.js';
import {
  fmt,
  kb,
  measureSide,
  median,
  pairedRatio,
  printMachine,
  ratio,
  table,
  type Timing,
} from './common.js';
import {
  extractPayload,
  loadFixture,
  tempFolder,
  writeOperatorCatalogue,
  writeOperatorSchemaSet,
  type FixtureSize,
} from './fixtures.js';

const RUN_MS = Number(process.env.BENCH_RUN_MS ?? 1000);
const MIN_MESSAGES = 200;
const OPERATOR_BYTES = Number(process.env.BENCH_OPERATOR_MB ?? 1.5) * 1024 * 1024;
const DE_XSD = packagePath('schemas', 'itk', 'distribution-envelope-v2-0.xsd');
const CAREPLAN_XSD = packagePath('schemas', 'careplan', 'careplan-v1.xsd');
const SIZES: FixtureSize[] = ['small', 'large'];

/** Correctness before speed: a benchmark of a validator that says "invalid" measures nothing. */
function mustBeValid(validator: Validator, bytes: Uint8Array, what: string): void {
  const result = validator.validate(bytes);
  if (!result.valid || !result.carePlan) {
    throw new Error(`${what} is not valid: ${JSON.stringify(result.findings, null, 2)}`);
  }
}

interface XmllintFigure {
  /** Wall time of one xmllint process over `files` copies, median of 5, ms. */
  readonly wallMs: number;
  /** Wall time of the same process over one file (start-up + schema compile), ms. */
  readonly oneFileMs: number;
  readonly files: number;
  /** The marginal cost of one more file, µs. */
  readonly usPerFile: number;
}

/** `xmllint --noout --schema xsd f f f …` in one process: wall time per file. */
function xmllint(xsd: string, dir: string, file: string, runMs: number): XmllintFigure {
  const run = (files: number): number => {
    const args = ['--noout', '--schema', xsd, ...Array<string>(files).fill(file)];
    const start = performance.now();
    const r = spawnSync('xmllint', args, {
      cwd: dir,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const ms = performance.now() - start;
    const validated = (r.stderr.match(/ validates$/gm) ?? []).length;
    if (r.status !== 0 || validated !== files) {
      throw new Error(
        `xmllint failed (status ${r.status}, ${validated}/${files} validated): ${r.stderr.slice(0, 500)}`,
      );
    }
    return ms;
  };
  run(20); // warm the page cache and the binary
  // Size the run to last about runMs: probe with 100 files, then correct once.
  let files = Math.min(
    20_000,
    Math.max(100, Math.round(runMs / (Math.max(1, run(100) - run(1)) / 99))),
  );
  const check = run(files);
  if (check < runMs * 0.9) files = Math.min(20_000, Math.round((files * runMs) / check));
  const many: number[] = [];
  const one: number[] = [];
  for (let r = 0; r < 5; r++) {
    many.push(run(files));
    one.push(run(1));
  }
  const wallMs = median(many);
  const oneFileMs = median(one);
  return { wallMs, oneFileMs, files, usPerFile: ((wallMs - oneFileMs) / (files - 1)) * 1000 };
}

const xsdFiles = (dir: string): string[] =>
  fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.xsd'))
    .map((f) => path.join(dir, f));

async function main(): Promise<void> {
  printMachine('itk-router validation throughput (bench/validate-bench.ts)', {
    'each figure': `median of 5 runs, each ≥ ${RUN_MS} ms and ≥ ${MIN_MESSAGES} messages, after warm-up; runs of compared cases interleaved`,
  });
  const tmp = tempFolder('itk-bench-validate-');
  const validators: Validator[] = [];
  try {
    const messages = Object.fromEntries(SIZES.map((s) => [s, loadFixture(s)])) as Record<
      FixtureSize,
      { bytes: Buffer; file: string }
    >;

    // The bundled catalogue, and the bundled catalogue plus a large generated operator schema.
    createValidator().dispose(); // the first one also compiles the catalogue's JSON schema
    let start = performance.now();
    const bundled = createValidator();
    const bundledMs = performance.now() - start;
    validators.push(bundled);
    const set = writeOperatorSchemaSet(tmp.dir, OPERATOR_BYTES);
    const catalogue = writeOperatorCatalogue(tmp.dir, set);
    start = performance.now();
    const grown = createValidator({ catalogues: [catalogue] });
    const grownMs = performance.now() - start;
    validators.push(grown);
    for (const s of SIZES) {
      mustBeValid(bundled, messages[s].bytes, messages[s].file);
      mustBeValid(grown, messages[s].bytes, `${messages[s].file} (with the operator catalogue)`);
    }

    const bundledXsd = xsdFiles(packagePath('schemas'));
    const bundledBytes = bundledXsd.reduce((n, f) => n + fs.statSync(f).size, 0);
    console.log('## Schemas loaded');
    console.log();
    console.log(
      table(
        [
          'validator',
          'payload schemas (schemaCount)',
          'XSD files (DE included)',
          'XSD bytes',
          'compile once, ms',
        ],
        [
          [
            'bundled catalogue',
            String(bundled.schemaCount),
            String(bundledXsd.length),
            kb(bundledBytes),
            fmt(bundledMs),
          ],
          [
            'bundled + operator catalogue',
            String(grown.schemaCount),
            String(bundledXsd.length + set.files),
            kb(bundledBytes + set.bytes),
            fmt(grownMs),
          ],
        ],
      ),
    );
    console.log();
    console.log(
      `Operator schema set (generated into ${tmp.dir}, removed afterwards): ${set.files} files, ${kb(set.bytes)}, ` +
        `${fmt(set.complexTypes)} complex types, ${fmt(set.simpleTypes)} simple types, ${fmt(set.elements)} element declarations, ` +
        `namespace urn:itk-router:bench:operator:v1, matched by profile id.`,
    );
    console.log();

    // Full validation, both catalogues, runs interleaved.
    const full: Record<FixtureSize, Record<'bundled' | 'grown', Timing>> = {} as never;
    for (const s of SIZES) {
      const bytes = messages[s].bytes;
      full[s] = await measureSide(
        { bundled: () => bundled.validate(bytes), grown: () => grown.validate(bytes) },
        { minMs: RUN_MS, minOps: MIN_MESSAGES },
      );
    }

    // xmllint over the same files, and over the payload extracted to a file of its own.
    const lint: Record<FixtureSize, { de: XmllintFigure; payload: XmllintFigure }> = {} as never;
    for (const s of SIZES) {
      const dir = path.join(tmp.dir, `lint-${s}`);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'm.xml'), messages[s].bytes);
      fs.writeFileSync(path.join(dir, 'p.xml'), extractPayload(messages[s].bytes.toString('utf8')));
      lint[s] = {
        de: xmllint(DE_XSD, dir, 'm.xml', RUN_MS),
        payload: xmllint(CAREPLAN_XSD, dir, 'p.xml', RUN_MS),
      };
    }

    console.log('## (a, b) Full validation vs xmllint, same files, same run');
    console.log();
    console.log(
      'itk-router = createValidator().validate(bytes): safety scan, parse, DE schema + DE rules, payload schema (in place), business rules.',
    );
    console.log(
      'xmllint = one process, `xmllint --noout --schema <xsd> f f f …`; per file = (wall(N files) − wall(1 file)) / (N − 1), medians of 5.',
    );
    console.log();
    const rows = SIZES.map((s) => {
      const ours = full[s].bundled;
      const de = lint[s].de;
      const pl = lint[s].payload;
      const lintBoth = de.usPerFile + pl.usPerFile;
      return [
        `${s === 'small' ? '~3 KB' : '~60 KB'} notification (${fmt(messages[s].bytes.length)} B)`,
        fmt(ours.opsPerSec),
        fmt(ours.usPerOp),
        `${fmt(1e6 / de.usPerFile)} (${fmt(de.usPerFile)} µs)`,
        `${fmt(1e6 / pl.usPerFile)} (${fmt(pl.usPerFile)} µs)`,
        `${fmt(1e6 / lintBoth)} (${fmt(lintBoth)} µs)`,
        ratio(ours.usPerOp, lintBoth),
      ];
    });
    console.log(
      table(
        [
          'message',
          'itk-router msg/s',
          'µs/msg',
          'xmllint DE xsd, files/s',
          'xmllint payload xsd, files/s',
          'xmllint DE + payload',
          'itk-router time / xmllint',
        ],
        rows,
      ),
    );
    console.log();
    console.log(
      table(
        [
          'xmllint run',
          'files in one process',
          'wall, ms',
          'wall with 1 file (start + compile), ms',
        ],
        SIZES.flatMap((s) =>
          (['de', 'payload'] as const).map((k) => [
            `${s === 'small' ? '3 KB' : '60 KB'} ${k === 'de' ? 'envelope vs DE xsd' : 'payload vs careplan xsd'}`,
            fmt(lint[s][k].files),
            fmt(lint[s][k].wallMs),
            fmt(lint[s][k].oneFileMs),
          ]),
        ),
      ),
    );
    console.log();

    console.log(
      '## (c) Flat as the catalogue grows: full validation with and without the operator schema',
    );
    console.log();
    console.log(
      table(
        [
          'message',
          'bytes',
          'msg/s, bundled (schemaCount ' + bundled.schemaCount + ')',
          `msg/s, + ${kb(set.bytes)} operator (schemaCount ${grown.schemaCount})`,
          'with / without (medians)',
          'with / without, run by run: median (range)',
        ],
        SIZES.map((s) => {
          const pair = pairedRatio(full[s].grown, full[s].bundled);
          return [
            s === 'small' ? '~3 KB notification' : '~60 KB notification',
            fmt(messages[s].bytes.length),
            fmt(full[s].bundled.opsPerSec),
            fmt(full[s].grown.opsPerSec),
            ratio(full[s].grown.opsPerSec, full[s].bundled.opsPerSec),
            `${fmt(pair.median)}× (${fmt(pair.min)}–${fmt(pair.max)})`,
          ];
        }),
      ),
    );
    console.log();
    const perRun = (t: Timing) => t.rates.map((r) => fmt(r)).join(', ');
    for (const s of SIZES) {
      console.log(
        `msg/s run by run, ${s === 'small' ? '3 KB' : '60 KB'}: bundled ${perRun(full[s].bundled)}; with the operator schema ${perRun(full[s].grown)}.`,
      );
    }
    for (const s of SIZES) console.log(`Message ${s}: ${messages[s].file}`);
  } finally {
    for (const v of validators) v.dispose();
    tmp.remove();
  }
}

await main();
