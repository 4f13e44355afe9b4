/**
 * Migration sqlite/007 and postgres/006: responses written before them get their service and
 * addressee from their XML, once, so a duplicate of an old message is answered as before; and the
 * unused failed_attempts table goes. On both stores, from a store at the previous version.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openSqliteStore } from '../../../src/router/08-store/sqlite/open-sqlite-store.js';
import { openPostgresStore } from '../../../src/router/08-store/postgres/open-postgres-store.js';
import { packagePath } from '../../../src/router/00-common/package-root.js';

const NACK = `<itk:DistributionEnvelope xmlns:itk="urn:nhs-itk:ns:201005"><itk:header service="urn:nhs-itk:services:201005:InfrastructureAcknowledgment" trackingid="B3C1E0D2-0000-4000-8000-000000000001"><itk:addresslist><itk:address uri="urn:nhs-uk:addressing:ods:A83001"/></itk:addresslist></itk:header></itk:DistributionEnvelope>`;
const ANSWER_NO_ADDRESS = `<itk:DistributionEnvelope xmlns:itk="urn:nhs-itk:ns:201005"><itk:header service="urn:itk-router:careplan:LocateCarePlansResponse-v1-0" trackingid="B3C1E0D2-0000-4000-8000-000000000002"></itk:header></itk:DistributionEnvelope>`;

/** The bundled migrations of `dialect` before the one under test, in a folder of their own. */
function migrationsBefore(
  dialect: 'sqlite' | 'postgres',
  name: string,
): { dir: string; rest: string } {
  const from = packagePath('migrations', dialect);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `itk-mig-${dialect}-`));
  for (const f of fs.readdirSync(from).filter((f) => f.endsWith('.sql') && f < name))
    fs.copyFileSync(path.join(from, f), path.join(dir, f));
  return { dir, rest: from };
}

const later = (dialect: 'sqlite' | 'postgres', dir: string, from: string, name: string) => {
  for (const f of fs.readdirSync(from).filter((f) => f.endsWith('.sql') && f >= name))
    fs.copyFileSync(path.join(from, f), path.join(dir, f));
};

test('SQLite 007: old responses get service and addressee from their XML; failed_attempts dropped', async () => {
  const { dir, rest } = migrationsBefore('sqlite', '007');
  const file = path.join(dir, 'store.db');
  try {
    const old = await openSqliteStore(file, { migrationsDir: dir });
    await old.migrate();
    await old.close();
    const db = new Database(file);
    db.prepare(
      `INSERT INTO messages (id, tracking_id, sender_endpoint_id, service, received_at, size, state, original)
       VALUES ('m1', 'T1', 'riverside-gp', 's', '2026-12-01T00:00:00.000Z', 1, 'nacked', x'00')`,
    ).run();
    const row = db.prepare(
      'INSERT INTO message_responses (message_id, position, kind, tracking_id, to_endpoint_id, xml) VALUES (?, ?, ?, ?, ?, ?)',
    );
    row.run('m1', 0, 'inf-nack', 'R1', 'riverside-gp', NACK);
    row.run('m1', 1, 'response', 'R2', 'riverside-gp', ANSWER_NO_ADDRESS);
    db.close();

    later('sqlite', dir, rest, '007');
    const store = await openSqliteStore(file, { migrationsDir: dir });
    await store.migrate();
    expect(await store.responsesFor('m1')).toEqual([
      {
        kind: 'inf-nack',
        trackingId: 'R1',
        toEndpointId: 'riverside-gp',
        service: 'urn:nhs-itk:services:201005:InfrastructureAcknowledgment',
        addressee: 'urn:nhs-uk:addressing:ods:A83001',
        xml: NACK,
      },
      {
        kind: 'response',
        trackingId: 'R2',
        toEndpointId: 'riverside-gp',
        service: 'urn:itk-router:careplan:LocateCarePlansResponse-v1-0',
        xml: ANSWER_NO_ADDRESS,
      },
    ]);
    await store.close();
    const after = new Database(file);
    const tables = after.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    after.close();
    expect(tables).not.toContainEqual({ name: 'failed_attempts' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('PostgreSQL 006: old responses get service and addressee from their XML; failed_attempts dropped', async () => {
  const url = process.env.ITK_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `itk_mig_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const { dir, rest } = migrationsBefore('postgres', '006');
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
    const old = await openPostgresStore(url, { schema, migrationsDir: dir });
    await old.migrate();
    await old.close();
    await admin.query(
      `INSERT INTO ${schema}.messages (id, tracking_id, sender_endpoint_id, service, received_at, size, state, original)
       VALUES ('00000000-0000-7000-8000-000000000001', 'T1', 'riverside-gp', 's', now(), 1, 'nacked', '\\x00')`,
    );
    for (const [position, kind, xml] of [
      [0, 'inf-nack', NACK],
      [1, 'response', ANSWER_NO_ADDRESS],
    ] as const)
      await admin.query(
        `INSERT INTO ${schema}.message_responses (message_id, position, kind, tracking_id, to_endpoint_id, xml)
         VALUES ('00000000-0000-7000-8000-000000000001', $1, $2, $3, 'riverside-gp', $4)`,
        [position, kind, `R${position + 1}`, xml],
      );

    later('postgres', dir, rest, '006');
    const store = await openPostgresStore(url, { schema, migrationsDir: dir });
    await store.migrate();
    const responses = await store.responsesFor('00000000-0000-7000-8000-000000000001');
    await store.close();
    expect(responses.map((r) => [r.service, r.addressee])).toEqual([
      [
        'urn:nhs-itk:services:201005:InfrastructureAcknowledgment',
        'urn:nhs-uk:addressing:ods:A83001',
      ],
      ['urn:itk-router:careplan:LocateCarePlansResponse-v1-0', undefined],
    ]);
    const { rows } = await admin.query(
      'SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2',
      [schema, 'failed_attempts'],
    );
    expect(rows).toEqual([]);
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
