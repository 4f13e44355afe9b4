import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import {
  bundledMigrationsDir,
  readMigrations,
} from '../../../src/router/08-store/migration-files.js';
import {
  applyPragmas,
  openSqliteStore,
} from '../../../src/router/08-store/sqlite/open-sqlite-store.js';
import { StoreError } from '../../../src/router/08-store/store-error.js';
import { SQL as ACK_SQL } from '../../../src/router/08-store/sqlite/sqlite-acks.js';
import { SQL as RETENTION_SQL } from '../../../src/router/08-store/sqlite/sqlite-retention.js';
import { searchParams, searchSql } from '../../../src/router/08-store/sqlite/sqlite-queries.js';
import { auditListSql } from '../../../src/router/08-store/sqlite/sqlite-audit.js';
import { describeMessageStoreContract } from '../../contract/message-store.contract.js';
import { incoming } from '../../contract/store-fixtures.js';
import { holdWriteLock } from './lock-holder.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-store-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describeMessageStoreContract('SQLite file', () =>
  openSqliteStore(path.join(dir, 'contract', 'store.sqlite')),
);

describe('SQLite store', () => {
  const raw = (file: string) => new Database(file, { readonly: true });

  it('creates its folder, uses WAL, and records each applied migration once', async () => {
    const file = path.join(dir, 'a', 'b', 'store.sqlite');
    const store = await openSqliteStore(file);
    const shipped = readMigrations(bundledMigrationsDir('sqlite')).map((m) => m.name);
    expect(shipped[0]).toBe('001-messages');
    expect(await store.migrate()).toEqual(shipped);
    expect(await store.migrate()).toEqual([]);
    await store.close();

    const db = raw(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const rows = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(rows).toEqual(shipped.map((name, i) => ({ version: i + 1, name })));
    db.close();
  });

  it('finds its migrations in migrations/sqlite at the package root', () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
    expect(bundledMigrationsDir('sqlite')).toBe(path.join(root, 'migrations', 'sqlite'));
  });

  it('sets synchronous FULL, a busy timeout and foreign keys on each connection', () => {
    const db = new Database(path.join(dir, 'pragmas.sqlite'));
    applyPragmas(db, 1234);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(1234);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('finds overdue acks and what retention prunes through indexes, not by scanning tables', async () => {
    const file = path.join(dir, 'plans.sqlite');
    const store = await openSqliteStore(file);
    await store.migrate();
    await store.close();
    const db = raw(file);
    const plan = (sql: string, params: Record<string, unknown>) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[])
        .map((r) => r.detail)
        .join('; ');
    const now = new Date().toISOString();
    expect(plan(ACK_SQL.due, { now, limit: 10 })).toMatch(/USING INDEX ack_expectations_pending/);
    expect(plan(ACK_SQL.overdue, { limit: 10 })).toMatch(/USING INDEX ack_expectations_overdue/);
    const old = { state: 'delivered', before: now, now, limit: 10 };
    expect(plan(RETENTION_SQL.clearBodies, old)).toMatch(
      /USING INDEX messages_body_state_received/,
    );
    expect(plan(RETENTION_SQL.deleteRecords, old)).toMatch(/USING INDEX messages_state_received/);
    expect(plan(RETENTION_SQL.closedPlans, { before: now, limit: 10 })).toMatch(
      /USING (COVERING )?INDEX careplans_closed/,
    );
    db.close();
  });

  it("answers each of the console's search filters and the audit log's through an index, never a table scan", async () => {
    const file = path.join(dir, 'search-plans.sqlite');
    const store = await openSqliteStore(file);
    await store.migrate();
    await store.close();
    const db = raw(file);
    const plan = (sql: string, params: Record<string, unknown>) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[])
        .map((r) => r.detail)
        .join('; ');
    const at = new Date('2026-12-08T09:00:00Z');
    const after = { receivedAt: at, id: '0190f000-0000-7000-8000-000000000000' };
    const cases: [Parameters<typeof searchSql>[0], RegExp][] = [
      [{}, /(SCAN|SEARCH) messages USING INDEX messages_received/],
      [{ trackingId: 'A' }, /SEARCH messages USING INDEX messages_tracking_sender/],
      [{ sender: 'gp' }, /SEARCH messages USING INDEX messages_sender_received/],
      [
        { recipient: 'ooh' },
        // newest first through the receipt-time index, each probed in the delivered events' index
        /messages USING INDEX messages_received( \(\(received_at,id\)<\(\?,\?\)\))?; SEARCH e EXISTS USING COVERING INDEX message_events_delivered/,
      ],
      [{ state: 'nacked' }, /SEARCH messages USING INDEX messages_state_received/],
      [{ service: 'urn:x' }, /SEARCH messages USING INDEX messages_service_received/],
      [{ since: at, until: at }, /SEARCH messages USING INDEX messages_received/],
    ];
    for (const [filter, index] of cases) {
      for (const page of [undefined, after]) {
        const detail = plan(searchSql(filter, page !== undefined), searchParams(filter, 51, page));
        expect([filter, detail]).toEqual([filter, expect.stringMatching(index)]);
        expect(detail).not.toMatch(/SCAN messages(?! USING)/);
      }
    }
    const audit = (q: Parameters<typeof auditListSql>[0], params: Record<string, unknown>) =>
      plan(auditListSql(q), { limit: 10, ...params });
    expect(audit({ actor: 'a', limit: 10 }, { actor: 'a' })).toMatch(/USING INDEX audit_log_actor/);
    db.close();
  });

  it('commits the writes of one turn together, and a failing write rolls back alone', async () => {
    const file = path.join(dir, 'batch.sqlite');
    const store = await openSqliteStore(file);
    await store.migrate();
    const [a, b] = await Promise.all([store.begin(incoming()), store.begin(incoming())]);
    if (a?.kind !== 'new' || b?.kind !== 'new') throw new Error('expected two new messages');
    const done = { state: 'answered', at: new Date(), responses: [] } as const;
    // One batch: the second write (unknown id) and the fourth (a completed again, after the first
    // write in the same transaction) throw, so the batch runs again with a savepoint per write and
    // only those two are undone.
    const results = await Promise.allSettled([
      store.complete(a.id, done),
      store.complete(randomUUID(), done),
      store.complete(b.id, done),
      store.complete(a.id, done),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
    ]);
    expect(((results[1] as PromiseRejectedResult).reason as StoreError).code).toBe(
      'unknown-message',
    );
    expect(((results[3] as PromiseRejectedResult).reason as StoreError).code).toBe(
      'already-completed',
    );
    await store.close();
    const db = raw(file);
    const rows = db
      .prepare('SELECT id, outcome FROM messages WHERE id IN (?, ?) ORDER BY id')
      .all(a.id, b.id) as { id: string; outcome: string }[];
    expect(rows.map((r) => r.outcome)).toEqual(['answered', 'answered']);
    const events = db
      .prepare(
        "SELECT COUNT(*) AS n FROM message_events WHERE message_id = ? AND state = 'answered'",
      )
      .get(a.id) as { n: number };
    expect(events.n).toBe(1);
    db.close();
  });

  it('works in memory', async () => {
    const store = await openSqliteStore(':memory:');
    await store.migrate();
    const result = await store.begin(incoming());
    expect(result.kind).toBe('new');
    await store.close();
  });

  it('refuses a migration edited after it was applied, and applies one added later', async () => {
    const migrations = path.join(dir, 'edited-migrations');
    fs.cpSync(bundledMigrationsDir('sqlite'), migrations, { recursive: true });
    const file = path.join(dir, 'edited.sqlite');
    const first = await openSqliteStore(file, { migrationsDir: migrations });
    await first.migrate();
    await first.close();

    fs.writeFileSync(path.join(migrations, '099-later.sql'), 'CREATE TABLE later (x INTEGER);\n');
    const second = await openSqliteStore(file, { migrationsDir: migrations });
    expect(await second.migrate()).toEqual(['099-later']);
    fs.appendFileSync(path.join(migrations, '001-messages.sql'), '-- edited\n');
    const failure = second.migrate();
    await expect(failure).rejects.toBeInstanceOf(StoreError);
    await expect(failure).rejects.toMatchObject({ code: 'migration-failed', retryable: false });
    await second.close();
  });

  describe('with another connection holding the write lock', () => {
    const file = () => path.join(dir, 'locked.sqlite');
    beforeAll(async () => {
      const store = await openSqliteStore(file());
      await store.migrate();
      await store.close();
    });

    it('waits for it, then sees its message as existing', async () => {
      const message = incoming();
      const id = randomUUID();
      const sender = message.senderEndpointId!;
      const store = await openSqliteStore(file());
      const lock = await holdWriteLock({
        file: file(),
        id,
        trackingId: message.trackingId,
        sender,
        holdMs: 300,
      });
      const started = Date.now();
      const result = await store.begin(message);
      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
      expect(result).toMatchObject({
        kind: 'existing',
        record: { id, trackingId: message.trackingId },
      });
      await lock.done;
      await store.close();
    });

    it('fails as busy and retryable when the lock outlasts the busy timeout', async () => {
      const message = incoming();
      const store = await openSqliteStore(file(), { busyTimeoutMs: 50 });
      const lock = await holdWriteLock({
        file: file(),
        id: randomUUID(),
        trackingId: message.trackingId,
        sender: message.senderEndpointId!,
        holdMs: 1000,
      });
      const failure = store.begin(message);
      await expect(failure).rejects.toMatchObject({ code: 'busy', retryable: true });
      await lock.done;
      const after = await store.begin(message);
      expect(after.kind).toBe('existing');
      await store.close();
    });
  });
});
