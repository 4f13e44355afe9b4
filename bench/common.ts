/**
 * Shared helpers of the benchmarks: timing (median of runs after warm-up), machine facts and
 * plain-text tables. Benchmarks print figures; they never assert on a time.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';

export interface Timing {
  /** Median operations per second over the runs. */
  readonly opsPerSec: number;
  /** Median time of one operation, in microseconds. */
  readonly usPerOp: number;
  /** Operations done in each run. */
  readonly opsPerRun: readonly number[];
  /** Operations per second of each run, in run order. */
  readonly rates: readonly number[];
  readonly runs: number;
}

export interface TimingOptions {
  /** Each run lasts at least this long… */
  readonly minMs: number;
  /** …and does at least this many operations. */
  readonly minOps: number;
  readonly runs?: number;
  readonly warmupMs?: number;
  /** Hard cap of operations per run (for very slow operations). */
  readonly maxOps?: number;
}

export const median = (values: readonly number[]): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * Yields to the event loop every YIELD_MS, as the router does between messages (each message is
 * its own task). Without it, a tight synchronous loop keeps every WeakRef target it creates
 * (libxml2-wasm registers each wrapper object in a WeakRef) alive until the loop ends, and the
 * JS heap grows for the length of the run: a benchmark artefact, not the router's behaviour.
 */
const YIELD_MS = 20;
export const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => setImmediate(resolve));

/** Runs `op` in `runs` timed runs after a warm-up; the figure is the median run. */
export async function measure(op: () => void, options: TimingOptions): Promise<Timing> {
  const runs = options.runs ?? 5;
  const maxOps = options.maxOps ?? Number.MAX_SAFE_INTEGER;
  const warmEnd = performance.now() + (options.warmupMs ?? 300);
  let warm = 0;
  do {
    op();
    warm++;
    if (warm % 16 === 0) await yieldToEventLoop();
  } while (performance.now() < warmEnd && warm < maxOps);
  await yieldToEventLoop();
  const rates: number[] = [];
  const opsPerRun: number[] = [];
  for (let r = 0; r < runs; r++) {
    let ops = 0;
    const start = performance.now();
    let lastYield = start;
    let elapsed = 0;
    while ((elapsed < options.minMs || ops < options.minOps) && ops < maxOps) {
      op();
      ops++;
      if (performance.now() - lastYield >= YIELD_MS) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
      elapsed = performance.now() - start;
    }
    rates.push(ops / (elapsed / 1000));
    opsPerRun.push(ops);
  }
  const opsPerSec = median(rates);
  return { opsPerSec, usPerOp: 1e6 / opsPerSec, opsPerRun, rates, runs };
}

/**
 * Like `measure`, for several operations whose figures will be compared: after warming each up,
 * the runs are interleaved (A B C, A B C, …) so that drift in the machine's load hits them alike.
 */
export async function measureSide<K extends string>(
  ops: Record<K, () => void>,
  options: TimingOptions,
): Promise<Record<K, Timing>> {
  const runs = options.runs ?? 5;
  const keys = Object.keys(ops) as K[];
  for (const k of keys) await measure(ops[k], { ...options, runs: 0 });
  const rates = new Map<K, number[]>(keys.map((k) => [k, []]));
  const counts = new Map<K, number[]>(keys.map((k) => [k, []]));
  for (let r = 0; r < runs; r++) {
    for (const k of keys) {
      const t = await measure(ops[k], { ...options, runs: 1, warmupMs: 0 });
      rates.get(k)!.push(t.opsPerSec);
      counts.get(k)!.push(t.opsPerRun[0]!);
    }
  }
  const out = {} as Record<K, Timing>;
  for (const k of keys) {
    const opsPerSec = median(rates.get(k)!);
    out[k] = {
      opsPerSec,
      usPerOp: 1e6 / opsPerSec,
      opsPerRun: counts.get(k)!,
      rates: rates.get(k)!,
      runs,
    };
  }
  return out;
}

export function machine(): Record<string, string> {
  const cpus = os.cpus();
  let xmllint = 'not found';
  try {
    // xmllint --version prints to stderr; execFileSync returns stdout, so ask for both.
    xmllint = execFileSync('sh', ['-c', 'xmllint --version 2>&1 | head -1'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    /* keep "not found" */
  }
  return {
    date: new Date().toISOString(),
    cpu: `${cpus[0]?.model ?? 'unknown'} × ${cpus.length} (benchmark uses one core)`,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    'load average (1/5/15 min)': os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' / '),
    xmllint,
  };
}

export function printMachine(title: string, extra: Record<string, string> = {}): void {
  console.log(`# ${title}`);
  console.log();
  for (const [k, v] of Object.entries({ ...machine(), ...extra })) console.log(`- ${k}: ${v}`);
  console.log();
}

/** A Markdown table; `align` has one letter per column, l or r (default: first left, others right). */
export function table(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  align?: string,
): string {
  const right = (i: number) => (align ? align[i] === 'r' : i > 0);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    '| ' +
    cells.map((c, i) => (right(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ') +
    ' |';
  const rule =
    '|' +
    widths.map((w, i) => (right(i) ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|') +
    '|';
  return [line(head), rule, ...rows.map(line)].join('\n');
}

const group = (n: number, digits: number) =>
  n.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** A number with thousands separators and about three significant figures. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const abs = Math.abs(n);
  return group(n, abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3);
}

export const ratio = (a: number, b: number): string => `${fmt(a / b)}×`;

/**
 * The ratio of two interleaved measurements run by run (run i of `a` ran right next to run i of
 * `b`, so slow drift in the machine's load cancels): the median and the range.
 */
export function pairedRatio(a: Timing, b: Timing): { median: number; min: number; max: number } {
  const ratios = a.rates.map((r, i) => r / b.rates[i]!);
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

export function kb(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${(bytes / 1024 / 1024).toFixed(2)} MB`
    : `${(bytes / 1024).toFixed(1)} KB`;
}
