/**
 * The message store alone: for each 3 KB care-plan notification, the calls the pipeline makes
 * (begin, the care-plan index's getPlan + applyChange, confirmedDeliveries, the delivered event,
 * complete with an expected inf ack), many messages at once as the router handles them at its
 * prefetch. SQLite always; PostgreSQL when it answers (its own schema, dropped afterwards).
 * Prints figures only: no timed assertions.
 *
 *   npm run bench:store
 *
 * Options (environment): BENCH_COUNT (default 10000) messages per run, BENCH_CONCURRENCY
 * (default 100) messages in flight, BENCH_ROUNDS (default 3) runs per store (median);
 * BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test); BENCH_PG_POOL and
 * BENCH_PG_BATCHES, the PostgreSQL store's pool size and concurrent batches (default 10 and 4);
 * BENCH_STORES=postgres to leave SQLite out.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openPostgresStore } from '../src/router/08-store/postgres/open-postgres-store.js';
import { openSqliteStore } from '../src/router/08-store/sqlite/open-sqlite-store.js';
import type { MessageStore } from '../src/router/08-store/message-store.js';
import { fmt, median, printMachine, table } from './common.js';
import { loadFixture } from './fixtures.js';
import { drive } from './store-work.js';

const COUNT = Number(process.env.BENCH_COUNT ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** BENCH_PG_POOL, BENCH_PG_BATCHES: the PostgreSQL store's pool size and concurrent batches. */
const POOL = process.env.BENCH_PG_POOL ? Number(process.env.BENCH_PG_POOL) : undefined;
const BATCHES = process.env.BENCH_PG_BATCHES ? Number(process.env.BENCH_PG_BATCHES) : undefined;
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Run {
  readonly msgPerSec: number;
  readonly wallUs: number;
  readonly cpuUs: number;
}

async function measureStore(open: () => Promise<MessageStore>, body: Buffer): Promise<Run[]> {
  const runs: Run[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const store = await open();
    try {
      await store.migrate();
      await drive(store, body, Math.min(1000, COUNT), CONCURRENCY); // warm-up
      const cpu = process.cpuUsage();
      const start = performance.now();
      await drive(store, body, COUNT, CONCURRENCY);
      const ms = performance.now() - start;
      const used = process.cpuUsage(cpu);
      runs.push({
        msgPerSec: (COUNT / ms) * 1000,
        wallUs: (ms * 1000) / COUNT,
        cpuUs: (used.user + used.system) / COUNT,
      });
    } finally {
      await store.close();
    }
  }
  return runs;
}

async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  printMachine('itk-router message store throughput (bench/store-bench.ts)', {
    messages: `${fmt(COUNT)} per run, ${CONCURRENCY} in flight, ${ROUNDS} runs per store (median)`,
    'per message': 'begin, getPlan, applyChange, confirmedDeliveries, addEvent, complete',
  });
  const body = loadFixture('small').bytes;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-bench-store-'));
  const rows: string[][] = [];
  const add = (name: string, runs: Run[]) =>
    rows.push([
      name,
      fmt(median(runs.map((r) => r.msgPerSec))),
      fmt(median(runs.map((r) => r.wallUs))),
      fmt(median(runs.map((r) => r.cpuUs))),
      runs.map((r) => fmt(r.msgPerSec)).join(', '),
    ]);
  try {
    let n = 0;
    if (process.env.BENCH_STORES !== 'postgres')
      add(
        'SQLite (file, WAL, synchronous=FULL)',
        await measureStore(() => openSqliteStore(path.join(work, `store-${n++}.db`)), body),
      );
    if (await postgresAnswers()) {
      const schemas: string[] = [];
      try {
        add(
          `PostgreSQL (${new URL(POSTGRES_URL).host})`,
          await measureStore(() => {
            const schema = `itk_bench_${randomUUID().replace(/-/g, '')}`;
            schemas.push(schema);
            return openPostgresStore(POSTGRES_URL, { schema, poolSize: POOL, batches: BATCHES });
          }, body),
        );
      } finally {
        const admin = new pg.Client({ connectionString: POSTGRES_URL });
        await admin.connect();
        for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
        await admin.end();
      }
    } else {
      rows.push(['PostgreSQL', 'not reachable', '', '', POSTGRES_URL]);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  console.log(
    table(['store', 'msg/s', 'wall µs/msg', 'CPU µs/msg (this process)', 'msg/s run by run'], rows),
  );
  console.log();
  console.log(
    'CPU µs/msg is this process only: PostgreSQL does most of its work in the server, SQLite all of it here.',
  );
}

await main();
