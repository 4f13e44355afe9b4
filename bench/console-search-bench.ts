/**
 * The console's message search on a store of 50,000 messages: each filter of
 * GET /api/v1/messages alone (and the first page with no filter), the first page of 50 and the
 * page after it, through the store's own search (the API adds only JSON). SQLite always;
 * PostgreSQL when it answers (its own schema, dropped afterwards). Prints figures only.
 *
 *   npm run bench:console
 *
 * Options (environment): BENCH_COUNT (default 50000) messages, BENCH_ROUNDS (default 20) runs of
 * each query (median and worst), BENCH_POSTGRES_URL, BENCH_STORES=sqlite to leave PostgreSQL out.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { MessageFilter } from '../src/router/08-store/message-queries.js';
import type { MessageStore } from '../src/router/08-store/message-store.js';
import { openPostgresStore } from '../src/router/08-store/postgres/open-postgres-store.js';
import { openSqliteStore } from '../src/router/08-store/sqlite/open-sqlite-store.js';
import { fmt, median, printMachine, table } from './common.js';

const COUNT = Number(process.env.BENCH_COUNT ?? 50_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SENDERS = ['riverside-gp', 'hilltop-gp', 'meadow-hospice', 'ooh-111', 'community'];
const SERVICES = [
  'urn:nhs-itk:services:201005:sendDistEnvelope',
  'urn:nhs-itk:services:201005:SendCDADocument-v2-0',
  'urn:itk-router:services:CarePlanNotification-v1-0',
];
const T0 = Date.UTC(2026, 10, 1);

/** Fills the store: a day of messages, each delivered to one or two end points, one in ten nacked. */
async function fill(store: MessageStore): Promise<string> {
  let probe = '';
  const body = Buffer.from(
    `<itk:DistributionEnvelope>${'x'.repeat(3000)}</itk:DistributionEnvelope>`,
  );
  for (let i = 0; i < COUNT; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, COUNT - i) }, async (_, j) => {
        const n = i + j;
        const trackingId = randomUUID().toUpperCase();
        if (n === Math.floor(COUNT / 2)) probe = trackingId;
        const receivedAt = new Date(T0 + n * 1700);
        const sender = SENDERS[n % SENDERS.length]!;
        const began = await store.begin({
          trackingId,
          senderEndpointId: sender,
          service: SERVICES[n % SERVICES.length]!,
          receivedAt,
          bytes: body,
        });
        if (began.kind !== 'new') throw new Error('not new');
        const nacked = n % 10 === 0;
        if (!nacked) {
          const to = SENDERS[(n + 1 + (n % 3)) % SENDERS.length]!;
          await store.addEvent(began.id, { state: 'delivered', at: receivedAt, endpointId: to });
        }
        await store.complete(began.id, {
          state: nacked ? 'nacked' : 'delivered',
          at: new Date(receivedAt.getTime() + 5),
          responses: [],
          ...(nacked && { code: '1000' }),
        });
      }),
    );
  }
  return probe;
}

async function timeQuery(
  store: MessageStore,
  filter: MessageFilter,
): Promise<{ first: number[]; next: number[]; rows: number }> {
  const first: number[] = [];
  const next: number[] = [];
  let rows = 0;
  for (let r = 0; r < ROUNDS; r++) {
    let t = performance.now();
    const page = await store.queries.search(filter, 51);
    first.push(performance.now() - t);
    rows = page.length;
    const last = page.at(49);
    if (last) {
      t = performance.now();
      await store.queries.search(filter, 51, { receivedAt: last.receivedAt, id: last.id });
      next.push(performance.now() - t);
    }
  }
  return { first, next, rows };
}

async function run(name: string, store: MessageStore): Promise<string[][]> {
  await store.migrate();
  const started = performance.now();
  const probe = await fill(store);
  process.stdout.write(
    `${name}: ${COUNT} messages stored in ${fmt((performance.now() - started) / 1000)} s\n`,
  );
  const mid = new Date(T0 + (COUNT / 2) * 1700);
  const filters: [string, MessageFilter][] = [
    ['(none)', {}],
    ['trackingId', { trackingId: probe }],
    ['sender', { sender: 'hilltop-gp' }],
    ['recipient', { recipient: 'ooh-111' }],
    ['state', { state: 'nacked' }],
    ['service', { service: SERVICES[1]! }],
    ['since + until (1 h)', { since: mid, until: new Date(mid.getTime() + 3_600_000) }],
    ['sender + state', { sender: 'riverside-gp', state: 'nacked' }],
  ];
  const rows: string[][] = [];
  for (const [label, filter] of filters) {
    const t = await timeQuery(store, filter);
    rows.push([
      name,
      label,
      String(t.rows > 50 ? '50+' : t.rows),
      fmt(median(t.first)),
      fmt(Math.max(...t.first)),
      t.next.length ? fmt(median(t.next)) : '-',
    ]);
  }
  return rows;
}

async function main(): Promise<void> {
  printMachine('console search bench', { messages: String(COUNT), rounds: String(ROUNDS) });
  const rows: string[][] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-console-bench-'));
  try {
    if (process.env.BENCH_STORES !== 'postgres') {
      const store = await openSqliteStore(path.join(dir, 'store.sqlite'));
      try {
        rows.push(...(await run('SQLite', store)));
      } finally {
        await store.close();
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (process.env.BENCH_STORES !== 'sqlite') {
    const schema = `itk_bench_${randomUUID().replace(/-/g, '')}`;
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    try {
      await admin.connect();
      const store = await openPostgresStore(POSTGRES_URL, { schema });
      try {
        rows.push(...(await run('PostgreSQL', store)));
      } finally {
        await store.close();
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      }
    } catch (err) {
      process.stdout.write(`PostgreSQL left out: ${(err as Error).message}\n`);
    } finally {
      await admin.end().catch(() => undefined);
    }
  }
  process.stdout.write(
    table(
      ['store', 'filter', 'rows', 'first page median ms', 'worst ms', 'next page median ms'],
      rows,
    ) + '\n',
  );
}

await main();
