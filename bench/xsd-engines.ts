/**
 * The two XSD engine candidates on our schemas (docs/xsd-engine.md):
 * - libxmljs2 0.35 (native, libxml2 2.9.9): `parseXml(xsd, { baseUrl })`, then `doc.validate(xsdDoc)`
 *   per message, which compiles the schema again on every call;
 * - libxml2-wasm 0.7 (through src/router/04-validation/xml-engine.ts): compile once, validate many; the
 *   payload is validated in place, as a subtree of the envelope document.
 * Per-message times for the DE schema and the care-plan payload schema, 3 KB and 60 KB messages,
 * alone and with generated operator schema sets added, then memory over 3,000 × 60 KB messages.
 * Prints figures only: no timed assertions.
 *
 *   npm run build && node dist/bench/xsd-engines.js
 *
 * Options (environment): BENCH_RUN_MS (default 150) minimum length of each of the 5 runs;
 * BENCH_SCHEMA_MB (default "0.2,1.5,3.6") sizes of the generated operator schema sets.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type * as Libxmljs from 'libxmljs2';
import { ITK_NS } from '../src/router/03-envelope/itk-names.js';
import { packagePath } from '../src/router/00-common/package-root.js';
import { createValidator } from '../src/router/04-validation/create-validator.js';
import {
  compileXsd,
  parseUntrusted,
  xsdErrors,
  type CompiledXsd,
  type XmlDocument,
  type XmlElement,
} from '../src/router/04-validation/xml-engine.js';
import {
  fmt,
  kb,
  measureSide,
  median,
  printMachine,
  ratio,
  table,
  yieldToEventLoop,
  type TimingOptions,
} from './common.js';
import {
  extractPayload,
  loadFixture,
  tempFolder,
  writeOperatorSchemaSet,
  type FixtureSize,
} from './fixtures.js';

/**
 * libxmljs2 is a devDependency, kept for this comparison only; loaded by main(), not by the
 * memory child processes (so that their RSS is libxml2-wasm's alone).
 */
let libxmljs: typeof Libxmljs;

function loadLibxmljs(): typeof Libxmljs {
  try {
    return createRequire(import.meta.url)('libxmljs2') as typeof Libxmljs;
  } catch (err) {
    console.error(
      'bench:xsd needs libxmljs2, a devDependency (native, builds from source): ' +
        'install dev dependencies (npm install, not --omit=dev).\n' +
        String(err),
    );
    process.exit(1);
  }
}

const RUN_MS = Number(process.env.BENCH_RUN_MS ?? 150);
const OPERATOR_MB = (process.env.BENCH_SCHEMA_MB ?? '0.2,1.5,3.6').split(',').map(Number);
const TIMING: TimingOptions = { minMs: RUN_MS, minOps: 2, warmupMs: 100 };
const MEMORY_MESSAGES = 3000;
const SIZES: FixtureSize[] = ['small', 'large'];
const LABEL: Record<FixtureSize, string> = { small: '3 KB', large: '60 KB' };
const PAYLOAD_XPATH = '/itk:DistributionEnvelope/itk:payloads/itk:payload[1]/*[1]';
const NS = { itk: ITK_NS };

interface SchemaSet {
  readonly label: string;
  readonly target: 'DE' | 'payload';
  readonly file: string;
  readonly bytes: number;
}

/** Copies the bundled DE and care-plan schemas into `dir` and writes the operator sets and wrappers. */
function schemaSets(dir: string): SchemaSet[] {
  fs.mkdirSync(path.join(dir, 'itk'));
  fs.mkdirSync(path.join(dir, 'careplan'));
  for (const f of ['distribution-envelope-v2-0.xsd', 'itk-types.xsd']) {
    fs.copyFileSync(packagePath('schemas', 'itk', f), path.join(dir, 'itk', f));
  }
  fs.copyFileSync(
    packagePath('schemas', 'careplan', 'careplan-v1.xsd'),
    path.join(dir, 'careplan', 'careplan-v1.xsd'),
  );
  const size = (files: string[]) =>
    files.reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
  const de = {
    file: 'itk/distribution-envelope-v2-0.xsd',
    ns: ITK_NS,
    bytes: size(['itk/distribution-envelope-v2-0.xsd', 'itk/itk-types.xsd']),
  };
  const cp = {
    file: 'careplan/careplan-v1.xsd',
    ns: 'urn:itk-router:careplan:v1',
    bytes: size(['careplan/careplan-v1.xsd']),
  };
  const sets: SchemaSet[] = [
    { label: 'DE schema (2 files)', target: 'DE', file: path.join(dir, de.file), bytes: de.bytes },
    { label: 'careplan-v1.xsd', target: 'payload', file: path.join(dir, cp.file), bytes: cp.bytes },
  ];
  for (const mb of OPERATOR_MB) {
    const name = `op-${mb}mb`;
    const op = writeOperatorSchemaSet(path.join(dir, name), mb * 1024 * 1024);
    const rel = path.relative(dir, op.main);
    for (const [own, target] of [
      [de, 'DE'],
      [cp, 'payload'],
    ] as const) {
      const file = path.join(dir, `${target}-plus-${name}.xsd`);
      fs.writeFileSync(
        file,
        `<?xml version="1.0" encoding="UTF-8"?>
<!-- Our schema plus a generated operator schema set: the same message, a bigger schema set. -->
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:import namespace="${own.ns}" schemaLocation="${own.file}"/>
  <xs:import namespace="${'urn:itk-router:bench:operator:v1'}" schemaLocation="${rel}"/>
</xs:schema>
`,
      );
      const label = `${target === 'DE' ? 'DE schema' : 'careplan-v1.xsd'} + ${kb(op.bytes)} operator set (${op.files} files, ${fmt(op.elements)} elements)`;
      sets.push({ label, target, file, bytes: own.bytes + op.bytes + fs.statSync(file).size });
    }
  }
  return sets.sort((a, b) =>
    a.target === b.target ? a.bytes - b.bytes : a.target === 'DE' ? -1 : 1,
  );
}

interface Message {
  readonly text: string;
  readonly bytes: Buffer;
  /** libxmljs2: the envelope, and the payload as a document of its own (it cannot validate a subtree). */
  readonly lxEnvelope: Libxmljs.Document;
  readonly lxPayload: Libxmljs.Document;
  /** libxml2-wasm: the envelope, and its payload element (validated in place). */
  readonly wasmEnvelope: XmlDocument;
  readonly wasmPayload: XmlElement;
}

function loadMessage(size: FixtureSize): Message {
  const bytes = loadFixture(size).bytes;
  const text = bytes.toString('utf8');
  const wasmEnvelope = parseUntrusted(bytes);
  const wasmPayload = wasmEnvelope.get(PAYLOAD_XPATH, NS) as XmlElement | null;
  if (!wasmPayload) throw new Error('no payload element');
  return {
    text,
    bytes,
    lxEnvelope: libxmljs.parseXml(text),
    lxPayload: libxmljs.parseXml(extractPayload(text)),
    wasmEnvelope,
    wasmPayload,
  };
}

/**
 * The child-process half of the memory figures: prints one JSON line with RSS and JS heap (after
 * gc) before, after MEMORY_MESSAGES and after twice as many. Every mode but `leak-sync` yields to
 * the event loop every 50 messages, as the router does between messages.
 */
async function memoryChild(mode: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  const usage = (): Usage => {
    gc();
    const u = process.memoryUsage();
    return { rss: u.rss, heap: u.heapUsed };
  };
  const bytes = loadFixture('large').bytes;
  let step: () => void;
  let cleanup: () => void;
  if (mode === 'validator') {
    const validator = createValidator();
    step = () => {
      if (!validator.validate(bytes).valid) throw new Error('invalid');
    };
    cleanup = () => validator.dispose();
  } else {
    const schemas = packagePath('schemas');
    const de = compileXsd(path.join(schemas, 'itk', 'distribution-envelope-v2-0.xsd'), schemas);
    const cp = compileXsd(path.join(schemas, 'careplan', 'careplan-v1.xsd'), schemas);
    step = () => {
      const doc = parseUntrusted(bytes);
      try {
        const payload = doc.get(PAYLOAD_XPATH, NS) as XmlElement;
        if (xsdErrors(de.validator, doc).length + xsdErrors(cp.validator, payload).length > 0) {
          throw new Error('invalid');
        }
      } finally {
        if (mode === 'dispose') doc.dispose();
      }
    };
    cleanup = () => {
      cp.dispose();
      de.dispose();
    };
  }
  const loop = async () => {
    for (let i = 1; i <= MEMORY_MESSAGES; i++) {
      step();
      if (mode !== 'leak-sync' && i % 50 === 0) await yieldToEventLoop();
    }
  };
  step();
  await yieldToEventLoop();
  const before = usage();
  await loop();
  const after = usage();
  await yieldToEventLoop();
  if (mode !== 'leak-sync') await loop();
  const again = usage();
  cleanup();
  console.log(JSON.stringify({ before, after, again }));
}

interface Usage {
  readonly rss: number;
  readonly heap: number;
}

/** Runs one memory child; the children run concurrently (their memory does not depend on speed). */
function memory(mode: string): Promise<{ before: Usage; after: Usage; again: Usage }> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', self, '--memory', mode],
      { encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`memory child ${mode} failed: ${stderr || err.message}`));
        else resolve(JSON.parse(stdout.trim().split('\n').pop()!));
      },
    );
  });
}

async function main(): Promise<void> {
  libxmljs = loadLibxmljs();
  printMachine('XSD engines on itk-router schemas (bench/xsd-engines.ts)', {
    libxmljs2: `${libxmljs.version} (libxml2 ${libxmljs.libxml_version}, native)`,
    'libxml2-wasm': `${JSON.parse(fs.readFileSync(packagePath('node_modules', 'libxml2-wasm', 'package.json'), 'utf8')).version} (WebAssembly)`,
    'each figure': `median of 5 runs, each ≥ ${RUN_MS} ms and ≥ ${TIMING.minOps} messages, after warm-up; the two engines' runs interleaved`,
  });
  const tmp = tempFolder('itk-bench-engines-');
  const compiled: CompiledXsd[] = [];
  const messages: Partial<Record<FixtureSize, Message>> = {};
  try {
    const sets = schemaSets(tmp.dir);
    for (const s of SIZES) messages[s] = loadMessage(s);

    // Compile every set once for libxml2-wasm (median of 3 compiles); libxmljs2 has no
    // compile-once API: it keeps the parsed schema document and compiles it in every validate().
    for (const set of sets) compileXsd(set.file, tmp.dir).dispose(); // grow wasm memory first
    const compileRows: string[][] = [];
    const engines = sets.map((set) => {
      const times: number[] = [];
      let xsd: CompiledXsd | undefined;
      for (let i = 0; i < 3; i++) {
        xsd?.dispose();
        const start = performance.now();
        xsd = compileXsd(set.file, tmp.dir);
        times.push(performance.now() - start);
      }
      compiled.push(xsd!);
      compileRows.push([set.label, kb(set.bytes), fmt(median(times))]);
      const lxXsd = libxmljs.parseXml(fs.readFileSync(set.file, 'utf8'), { baseUrl: set.file });
      return { set, wasm: xsd!.validator, lxXsd };
    });

    // Correctness first: every message must be valid against every set, on both engines.
    for (const { set, wasm, lxXsd } of engines) {
      for (const s of SIZES) {
        const m = messages[s]!;
        const lxDoc = set.target === 'DE' ? m.lxEnvelope : m.lxPayload;
        const wasmErrors = xsdErrors(wasm, set.target === 'DE' ? m.wasmEnvelope : m.wasmPayload);
        if (!lxDoc.validate(lxXsd) || wasmErrors.length > 0) {
          throw new Error(
            `${LABEL[s]} message not valid against ${set.label}: ${JSON.stringify(lxDoc.validationErrors.slice(0, 3))} ${JSON.stringify(wasmErrors.slice(0, 3))}`,
          );
        }
      }
    }

    const rows: string[][] = [];
    for (const { set, wasm, lxXsd } of engines) {
      for (const s of SIZES) {
        const m = messages[s]!;
        const lxDoc = set.target === 'DE' ? m.lxEnvelope : m.lxPayload;
        const wasmNode = set.target === 'DE' ? m.wasmEnvelope : m.wasmPayload;
        const t = await measureSide(
          {
            lx: () => lxDoc.validate(lxXsd),
            wasm: () => xsdErrors(wasm, wasmNode),
          },
          TIMING,
        );
        rows.push([
          set.target === 'DE' ? 'envelope vs DE' : 'payload vs careplan',
          set.label,
          kb(set.bytes),
          LABEL[s],
          fmt(t.lx.usPerOp),
          fmt(t.wasm.usPerOp),
          ratio(t.lx.usPerOp, t.wasm.usPerOp),
        ]);
      }
    }

    // Parsing, and the whole engine part of one message.
    const de = engines[0]!;
    const cp = engines.find((e) => e.set.target === 'payload')!;
    const stepRows: string[][] = [];
    for (const s of SIZES) {
      const m = messages[s]!;
      const t = await measureSide(
        {
          lxParse: () => libxmljs.parseXml(m.text),
          wasmParse: () => parseUntrusted(m.bytes).dispose(),
          lxExtract: () =>
            libxmljs.parseXml(
              (m.lxEnvelope.get(PAYLOAD_XPATH, NS) as Libxmljs.Element).toString(false),
            ),
          lxWhole: () => {
            const doc = libxmljs.parseXml(m.text);
            const payload = libxmljs.parseXml(
              (doc.get(PAYLOAD_XPATH, NS) as Libxmljs.Element).toString(false),
            );
            if (!doc.validate(de.lxXsd) || !payload.validate(cp.lxXsd)) throw new Error('invalid');
          },
          wasmWhole: () => {
            const doc = parseUntrusted(m.bytes);
            try {
              const payload = doc.get(PAYLOAD_XPATH, NS) as XmlElement;
              if (xsdErrors(de.wasm, doc).length + xsdErrors(cp.wasm, payload).length > 0)
                throw new Error('invalid');
            } finally {
              doc.dispose();
            }
          },
        },
        TIMING,
      );
      stepRows.push(
        [
          `parse the ${LABEL[s]} envelope`,
          fmt(t.lxParse.usPerOp),
          fmt(t.wasmParse.usPerOp) + ' (incl. dispose)',
        ],
        [
          `payload as its own document (${LABEL[s]})`,
          fmt(t.lxExtract.usPerOp) + ' (serialise + re-parse)',
          '0 (validated in place)',
        ],
        [
          `parse + DE + payload validation (${LABEL[s]})`,
          fmt(t.lxWhole.usPerOp),
          `${fmt(t.wasmWhole.usPerOp)} (${ratio(t.lxWhole.usPerOp, t.wasmWhole.usPerOp)} faster)`,
        ],
      );
    }

    console.log('## Per-message schema validation, µs (documents parsed beforehand)');
    console.log();
    console.log(
      'libxmljs2: `doc.validate(xsdDoc)` (compiles the schema on every call; the payload is its own document). ' +
        'libxml2-wasm: the compiled XsdValidator, the payload validated in place as a subtree of the envelope.',
    );
    console.log();
    console.log(
      table(
        [
          'validation',
          'schema set',
          'XSD bytes',
          'message',
          'libxmljs2 µs',
          'libxml2-wasm µs',
          'libxmljs2 / wasm',
        ],
        rows,
        'llrrrrr',
      ),
    );
    console.log();
    console.log('## One message through each engine, µs (our bundled DE + careplan schemas)');
    console.log();
    console.log(table(['step', 'libxmljs2 µs', 'libxml2-wasm µs'], stepRows));
    console.log();
    console.log('## Schema loading (once per schema set)');
    console.log();
    console.log(
      'libxml2-wasm compiles each schema set once, when the catalogue loads (median of 3, after a warm-up compile). ' +
        'libxmljs2 has no compiled-schema object: it pays this compile inside every validate() call (first table).',
    );
    console.log();
    console.log(table(['schema set', 'XSD bytes', 'libxml2-wasm compile, ms'], compileRows, 'lrr'));
    console.log();

    const modes = [
      ['libxml2-wasm: parse + DE + payload validation, document disposed in finally', 'dispose'],
      ['createValidator().validate (all five stages, disposes internally)', 'validator'],
      ['libxml2-wasm, documents never disposed (left to GC finalizers)', 'leak'],
      ['libxml2-wasm, never disposed, one loop that never yields', 'leak-sync'],
    ] as const;
    const mb = (n: number) => `${fmt(n / 1024 / 1024)} MB`;
    const results = await Promise.all(modes.map(([, mode]) => memory(mode)));
    const memRows = modes.map(([label, mode], i) => {
      const r = results[i]!;
      return [
        label,
        mb(r.before.rss),
        mb(r.after.rss),
        mode === 'leak-sync' ? '–' : mb(r.again.rss),
        `${mb(r.before.heap)} → ${mb(r.after.heap)}`,
      ];
    });
    console.log(
      `## Memory: ${fmt(MEMORY_MESSAGES)} × 60 KB messages, a fresh process each (run side by side), after gc`,
    );
    console.log();
    console.log(
      table(
        [
          'run',
          'RSS before',
          `RSS after ${fmt(MEMORY_MESSAGES)}`,
          `RSS after ${fmt(2 * MEMORY_MESSAGES)}`,
          'JS heap before → after',
        ],
        memRows,
        'lrrrr',
      ),
    );
    console.log();
    console.log(
      'Loops yield to the event loop every 50 messages, as the router does (one task per message), except the last row. ' +
        'An undisposed document is freed only when V8 happens to collect its wrapper and runs the finalizer; ' +
        'V8 does not see WebAssembly memory pressure, and WeakRef targets live until the current task ends.',
    );
  } finally {
    for (const m of Object.values(messages)) m?.wasmEnvelope.dispose();
    for (const c of compiled) c.dispose();
    tmp.remove();
  }
}

const memoryArg = process.argv.indexOf('--memory');
if (memoryArg >= 0) await memoryChild(process.argv[memoryArg + 1] ?? 'dispose');
else await main();
