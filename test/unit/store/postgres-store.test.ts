/**
 * The PostgreSQL store against the real server: the shared contract, then what only PostgreSQL
 * has (schemas, advisory-locked migrations, a server that refuses or drops connections). This
 * file works in its own uuid-named schemas of the test database and drops them at the end.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {
  bundledMigrationsDir,
  readMigrations,
} from '../../../src/router/08-store/migration-files.js';
import { openStore } from '../../../src/router/08-store/open-store.js';
import { openPostgresStore } from '../../../src/router/08-store/postgres/open-postgres-store.js';
import { StoreError } from '../../../src/router/08-store/store-error.js';
import { SQL as ACK_SQL } from '../../../src/router/08-store/postgres/postgres-acks.js';
import { SQL as RETENTION_SQL } from '../../../src/router/08-store/postgres/postgres-retention.js';
import { describeMessageStoreContract } from '../../contract/message-store.contract.js';
import { at, incoming, nack } from '../../contract/store-fixtures.js';

const URL_BASE = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schemas: string[] = [];
const newSchema = (): string => {
  const schema = `itk_test_${randomUUID().replace(/-/g, '')}`;
  schemas.push(schema);
  return schema;
};

let admin: pg.Client;
beforeAll(async () => {
  admin = new pg.Client({ connectionString: URL_BASE });
  await admin.connect();
});
afterAll(async () => {
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
});

const contractSchema = newSchema();
describeMessageStoreContract('PostgreSQL', () =>
  openPostgresStore(URL_BASE, { schema: contractSchema, poolSize: 4 }),
);

describe('PostgreSQL store', () => {
  const shipped = readMigrations(bundledMigrationsDir('postgres'));
  const rows = async (sql: string, values?: unknown[]) => (await admin.query(sql, values)).rows;

  it('creates its schema and records each applied migration once, with its checksum', async () => {
    const schema = newSchema();
    const store = await openPostgresStore(URL_BASE, { schema });
    expect(shipped.map((m) => m.name).slice(0, 2)).toEqual(['001-messages', '002-careplans']);
    expect(shipped.map((m) => m.name)).toEqual(
      expect.arrayContaining(['004-ack-expectations', '005-retention']),
    );
    expect(await store.migrate()).toEqual(shipped.map((m) => m.name));
    expect(await store.migrate()).toEqual([]);
    await store.close();
    expect(
      await rows(
        `SELECT version, name, checksum FROM ${schema}.schema_migrations ORDER BY version`,
      ),
    ).toEqual(shipped.map((m) => ({ version: m.version, name: m.name, checksum: m.checksum })));
  });

  it('uses PostgreSQL types for times, bytes, flags and lists', async () => {
    const types = await rows(
      `SELECT table_name || '.' || column_name AS col, data_type FROM information_schema.columns
       WHERE table_schema = $1 AND column_name IN ('received_at', 'original', 'consent_to_share', 'shared_with', 'id')
       ORDER BY 1`,
      [contractSchema],
    );
    expect(types).toEqual([
      { col: 'careplans.consent_to_share', data_type: 'boolean' },
      { col: 'careplans.shared_with', data_type: 'jsonb' },
      { col: 'messages.id', data_type: 'uuid' },
      { col: 'messages.original', data_type: 'bytea' },
      { col: 'messages.received_at', data_type: 'timestamp with time zone' },
    ]);
  });

  it('can find overdue acks and what retention prunes through indexes', async () => {
    const schema = newSchema();
    const store = await openPostgresStore(URL_BASE, { schema });
    await store.migrate();
    await store.close();
    const client = new pg.Client({
      connectionString: URL_BASE,
      options: `-c search_path=${schema}`,
    });
    await client.connect();
    try {
      await client.query('SET enable_seqscan = off');
      const plan = async (sql: string, values: unknown[]) =>
        (await client.query(`EXPLAIN ${sql}`, values)).rows
          .map((r: Record<string, string>) => r['QUERY PLAN'])
          .join('\n');
      const now = new Date();
      expect(await plan(ACK_SQL.due, [now, 10])).toMatch(/ack_expectations_pending/);
      expect(await plan(ACK_SQL.overdue, [10])).toMatch(/ack_expectations_overdue/);
      expect(await plan(RETENTION_SQL.countBodies, ['delivered', now])).toMatch(
        /messages_body_state_received/,
      );
      expect(await plan(RETENTION_SQL.countRecords, ['delivered', now])).toMatch(
        /messages_state_received/,
      );
      expect(await plan(RETENTION_SQL.countClosedPlans, [now])).toMatch(/careplans_closed/);
    } finally {
      await client.end();
    }
  });

  it('migrates once when several instances start at once', async () => {
    const schema = newSchema();
    const stores = await Promise.all(
      Array.from({ length: 5 }, () => openPostgresStore(URL_BASE, { schema, poolSize: 1 })),
    );
    const applied = await Promise.all(stores.map((s) => s.migrate())).finally(() =>
      Promise.all(stores.map((s) => s.close())),
    );
    expect(applied.flat().sort()).toEqual(shipped.map((m) => m.name));
    expect(await rows(`SELECT count(*)::int AS n FROM ${schema}.schema_migrations`)).toEqual([
      { n: shipped.length },
    ]);
  });

  it('refuses an edited migration, applies a later one, and leaves nothing of a failed one', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-pg-migrations-'));
    try {
      fs.cpSync(bundledMigrationsDir('postgres'), dir, { recursive: true });
      const schema = newSchema();
      const open = () => openPostgresStore(URL_BASE, { schema, migrationsDir: dir });
      const first = await open();
      await first.migrate();
      await first.close();

      fs.writeFileSync(path.join(dir, '097-later.sql'), 'CREATE TABLE later (x integer);\n');
      fs.writeFileSync(
        path.join(dir, '098-broken.sql'),
        'CREATE TABLE half (x integer);\nSELECT no_such_fn();\n',
      );
      const second = await open();
      const broken = second.migrate();
      await expect(broken).rejects.toBeInstanceOf(StoreError);
      await expect(broken).rejects.toMatchObject({ code: 'migration-failed', retryable: false });
      await expect(broken).rejects.toThrow(/098-broken/);
      const tables = await rows(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name IN ('later', 'half')",
        [schema],
      );
      expect(tables).toEqual([{ table_name: 'later' }]);

      fs.rmSync(path.join(dir, '098-broken.sql'));
      fs.appendFileSync(path.join(dir, '001-messages.sql'), '-- edited\n');
      const edited = second.migrate();
      await expect(edited).rejects.toMatchObject({ code: 'migration-failed', retryable: false });
      await expect(edited).rejects.toThrow(/001-messages was changed after it was applied/);
      await second.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails as busy and retryable when the server refuses connections', async () => {
    const store = await openPostgresStore('postgres://postgres@127.0.0.1:1/test');
    // One call at a time: a call left pending meanwhile would reject with no handler yet.
    for (const start of [
      () => store.ping(),
      () => store.begin(incoming()),
      () => store.migrate(),
    ]) {
      const call = start();
      await expect(call).rejects.toBeInstanceOf(StoreError);
      await expect(call).rejects.toMatchObject({ code: 'busy', retryable: true });
    }
    await store.close();
  });

  it('carries on after the server drops its connections', async () => {
    const schema = newSchema();
    const store = await openPostgresStore(URL_BASE, { schema, poolSize: 2 });
    await store.migrate();
    await Promise.all([store.ping(), store.ping()]);
    const killed = await rows(
      'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1',
      [`itk-router/${schema}`],
    );
    expect(killed.length).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const result = await store.begin(incoming());
    expect(result.kind).toBe('new');
    await store.close();
  });

  it('rolls back alone a write whose statement the server refuses half-way, in a batch', async () => {
    const schema = newSchema();
    const store = await openPostgresStore(URL_BASE, { schema });
    await store.migrate();
    const [a, b] = [incoming(), incoming()];
    const [ida, idb] = await Promise.all(
      [a, b].map(async (m) => {
        const r = await store.begin(m);
        if (r.kind !== 'new') throw new Error('not new');
        return r.id;
      }),
    );
    const good = nack(a.senderEndpointId!);
    // PostgreSQL text cannot hold U+0000: the second response's INSERT fails, after the first's.
    const bad = { ...nack(a.senderEndpointId!), xml: '<nack>\u0000</nack>' };
    const [failed, other] = await Promise.allSettled([
      store.complete(ida!, { state: 'nacked', at: at(1), responses: [good, bad] }),
      store.addEvent(idb!, { state: 'delivered', at: at(1), endpointId: 'ooh-111' }),
    ]);
    expect(failed).toMatchObject({ status: 'rejected', reason: { code: 'failed' } });
    expect(String((failed as PromiseRejectedResult).reason)).toMatch(/22021|0x00/);
    expect(other.status).toBe('fulfilled');
    expect(await store.responsesFor(ida!)).toEqual([]);
    const [history] = await store.findByTrackingId(a.trackingId);
    expect(history!.record).toMatchObject({ state: 'received', completedAt: null });
    expect(await store.confirmedDeliveries(idb!)).toEqual(['ooh-111']);
    // The message is not stuck: completing it again succeeds.
    await store.complete(ida!, { state: 'nacked', at: at(2), responses: [good] });
    expect(await store.responsesFor(ida!)).toEqual([good]);
    await store.close();
  });

  it('takes a message id in capitals as the same id (a uuid), in every write and read', async () => {
    const schema = newSchema();
    const store = await openPostgresStore(URL_BASE, { schema });
    await store.migrate();
    const m = incoming();
    const begun = await store.begin(m);
    if (begun.kind !== 'new') throw new Error('not new');
    const upper = begun.id.toUpperCase();
    await store.addEvent(upper, { state: 'delivered', at: at(1), endpointId: 'ooh-111' });
    expect(await store.confirmedDeliveries(upper)).toEqual(['ooh-111']);
    await store.complete(upper, { state: 'delivered', at: at(2), responses: [] });
    expect((await store.findByTrackingId(m.trackingId))[0]!.record).toMatchObject({
      id: begun.id,
      outcome: 'delivered',
    });
    await store.close();
  });

  it('answers the reads and commits the writes asked for before close()', async () => {
    const schema = newSchema();
    const store = await openPostgresStore(URL_BASE, { schema });
    await store.migrate();
    const id = (await store.begin(incoming())) as { kind: 'new'; id: string };
    const read = store.confirmedDeliveries(id.id);
    const write = store.addEvent(id.id, { state: 'delivered', at: at(1), endpointId: 'gp' });
    const plan = store.carePlans.getPlan('NO-SUCH-PLAN');
    await store.close();
    await expect(read).resolves.toEqual([]);
    await expect(write).resolves.toBeUndefined();
    await expect(plan).resolves.toBeUndefined();
    await expect(store.confirmedDeliveries(id.id)).rejects.toMatchObject({ code: 'closed' });
  });

  it('sends large messages in several begin statements, a batch at a time', async () => {
    const schema = newSchema();
    const store = await openPostgresStore(URL_BASE, { schema });
    await store.migrate();
    // 12 messages of 2 MB in one turn: more than one 8 MB statement's worth.
    const big = Array.from({ length: 12 }, (_, i) =>
      incoming({ bytes: Buffer.alloc(2 * 1024 * 1024, 65 + i) }),
    );
    const results = await Promise.all(big.map((m) => store.begin(m)));
    expect(results.every((r) => r.kind === 'new')).toBe(true);
    for (const [i, r] of results.entries()) {
      const bytes = await store.originalBytes((r as { id: string }).id);
      expect(bytes?.equals(big[i]!.bytes as Buffer)).toBe(true);
    }
    await store.close();
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    const open = openPostgresStore(URL_BASE, { schema: 'x; DROP TABLE y' });
    await expect(open).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  it('is what openStore gives for a postgres:// URL, migrated', async () => {
    const schema = newSchema();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const url = `${URL_BASE}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const store = await openStore({ kind: 'postgres', url });
    try {
      expect((await store.begin(incoming())).kind).toBe('new');
      expect(await rows(`SELECT name FROM ${schema}.schema_migrations ORDER BY version`)).toEqual(
        shipped.map((m) => ({ name: m.name })),
      );
    } finally {
      await store.close();
    }
  });
});
