/**
 * Upgrades: `itk-router migrate [--dry-run]` lists what would run and runs it, on SQLite and
 * PostgreSQL; a store a newer router migrated is refused by migrate, start and the commands that
 * read, naming both versions and the fix; the commands that read never migrate.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { runCli } from '../../support/run-cli.js';
import {
  bundledMigrationsDir,
  readMigrations,
} from '../../../src/router/08-store/migration-files.js';
import { openStore } from '../../../src/router/08-store/open-store.js';
import { openSqliteStore } from '../../../src/router/08-store/sqlite/open-sqlite-store.js';

const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const shipped = readMigrations(bundledMigrationsDir('sqlite')).map((m) => m.name);
const TRACKING_ID = '4C2A3B1E-9F7D-4E2A-8C1B-2D3E4F5A6B7C';

let dir: string;
const savedStore = process.env.ITK_ROUTER_STORE;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-migrate-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  if (savedStore === undefined) delete process.env.ITK_ROUTER_STORE;
  else process.env.ITK_ROUTER_STORE = savedStore;
});

/** Runs the command line with ITK_ROUTER_STORE = `store`; exit code, stdout, stderr. */
async function run(
  store: string,
  args: string[],
): Promise<{ code: number; out: string; err: string }> {
  process.env.ITK_ROUTER_STORE = store;
  return runCli(args);
}

const appliedIn = (file: string): string[] => {
  const db = new Database(file, { readonly: true });
  try {
    return (
      db.prepare('SELECT name FROM schema_migrations ORDER BY version').all() as { name: string }[]
    ).map((r) => r.name);
  } finally {
    db.close();
  }
};

/** A SQLite store migrated by an older router: only its first `count` migrations applied. */
async function olderStore(name: string, count: number): Promise<string> {
  const older = path.join(dir, `${name}-migrations`);
  fs.mkdirSync(older);
  const source = bundledMigrationsDir('sqlite');
  for (const m of shipped.slice(0, count))
    fs.copyFileSync(path.join(source, `${m}.sql`), path.join(older, `${m}.sql`));
  const file = path.join(dir, `${name}.sqlite`);
  const store = await openSqliteStore(file, { migrationsDir: older });
  await store.migrate();
  await store.close();
  return file;
}

describe('itk-router migrate on SQLite', () => {
  test('--dry-run on a store that is not there lists every migration and creates nothing', async () => {
    const file = path.join(dir, 'none', 'store.sqlite');
    const { code, out } = await run(`sqlite:${file}`, ['migrate', '--dry-run']);
    expect(code).toBe(0);
    expect(out).toContain('would be created');
    for (const m of shipped) expect(out).toContain(m);
    expect(out).toContain('dry run: nothing changed');
    expect(fs.existsSync(path.dirname(file))).toBe(false);
  });

  test('an older store: --dry-run lists the rest and changes nothing; migrate runs them', async () => {
    const file = await olderStore('older', 3);
    const before = fs.readFileSync(file);
    const dry = await run(`sqlite:${file}`, ['migrate', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain(`schema    ${shipped[2]} (3 migration(s) applied)`);
    expect(dry.out).toContain(
      `would run:\n${shipped
        .slice(3)
        .map((m) => `          ${m}`)
        .join('\n')}`,
    );
    expect(appliedIn(file)).toEqual(shipped.slice(0, 3));
    expect(fs.readFileSync(file).equals(before)).toBe(true);

    // A command that reads neither migrates nor works on it: it says what to run.
    const track = await run(`sqlite:${file}`, ['track', TRACKING_ID]);
    expect(track.code).not.toBe(0);
    expect(track.err).toMatch(/older than this itk-router.*itk-router migrate/s);
    expect(appliedIn(file)).toEqual(shipped.slice(0, 3));

    const real = await run(`sqlite:${file}`, ['migrate']);
    expect(real.code).toBe(0);
    for (const m of shipped.slice(3))
      expect(real.out).toMatch(new RegExp(`applied   ${m} \\(\\d+ ms\\)`));
    expect(real.out).toContain(`done: ${shipped.length - 3} migration(s) applied`);
    expect(appliedIn(file)).toEqual(shipped);

    const again = await run(`sqlite:${file}`, ['migrate']);
    expect(again.code).toBe(0);
    expect(again.out).toContain('up to date: nothing to run');
  });

  test('start migrates by itself, telling of each migration (logged at info)', async () => {
    const file = await olderStore('start', 4);
    const heard: string[] = [];
    const store = await openStore(
      { kind: 'sqlite', url: `sqlite:${file}`, path: file },
      {},
      {
        onMigrationApplied: (name) => heard.push(name),
      },
    );
    await store.close();
    expect(heard).toEqual(shipped.slice(4));
  });

  test('a store a newer router migrated is refused by migrate, start and track, with the fix', async () => {
    const file = await olderStore('newer', shipped.length);
    const db = new Database(file);
    db.prepare(
      "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (999, '999-from-the-future', 'x', 'now')",
    ).run();
    db.close();
    const newest = shipped.at(-1) ?? '';
    for (const args of [['migrate'], ['migrate', '--dry-run'], ['track', TRACKING_ID], ['start']]) {
      const { code, err } = await run(`sqlite:${file}`, args);
      expect({ args, code }).toEqual({ args, code: 1 });
      expect(err).toContain('999-from-the-future');
      expect(err).toContain(newest);
      expect(err).toMatch(/Upgrade itk-router .* or restore the store/);
    }
    expect(appliedIn(file)).toEqual([...shipped, '999-from-the-future']);
  });
});

describe('itk-router migrate on PostgreSQL', () => {
  const schema = `itk_migrate_${randomUUID().replace(/-/g, '')}`;
  const url = `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const sql = new pg.Client({ connectionString: POSTGRES_URL });
  beforeAll(async () => {
    await sql.connect();
    await sql.query(`CREATE SCHEMA ${schema}`);
  });
  afterAll(async () => {
    await sql.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await sql.end();
  });
  const tables = async () =>
    (
      await sql.query<{ n: string }>(
        'SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = $1',
        [schema],
      )
    ).rows[0]?.n;

  test('dry run on an empty schema, then migrate, then a newer schema refused', async () => {
    const pgShipped = readMigrations(bundledMigrationsDir('postgres')).map((m) => m.name);
    const dry = await run(url, ['migrate', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('schema    empty (no migration applied)');
    for (const m of pgShipped) expect(dry.out).toContain(`          ${m}`);
    expect(await tables()).toBe('0');

    const track = await run(url, ['track', TRACKING_ID]);
    expect(track.code).not.toBe(0);
    expect(track.err).toContain('no message store');
    expect(await tables()).toBe('0');

    const real = await run(url, ['migrate']);
    expect(real.code).toBe(0);
    expect(real.out).toContain(`done: ${pgShipped.length} migration(s) applied`);
    expect((await run(url, ['migrate'])).out).toContain('up to date');

    await sql.query(
      `INSERT INTO ${schema}.schema_migrations (version, name, checksum) VALUES (999, '999-from-the-future', 'x')`,
    );
    for (const args of [['migrate'], ['track', TRACKING_ID]]) {
      const { code, err } = await run(url, args);
      expect({ args, code }).toEqual({ args, code: 1 });
      expect(err).toMatch(
        /has migration 999-from-the-future, this itk-router knows migrations up to/,
      );
    }
  });
});
