/**
 * Applies migration files to a SQLite database, each in its own IMMEDIATE transaction that first
 * re-reads `schema_migrations`, so two instances migrating one file at once apply each file once.
 */
import type Database from 'better-sqlite3';
import type { MigrationFile } from '../migration-files.js';
import {
  refuseNewerSchema,
  schemaStatus,
  type AppliedMigration,
  type SchemaStatus,
} from '../schema-status.js';
import { StoreError } from '../store-error.js';

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  checksum   TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;

interface AppliedRow {
  name: string;
  checksum: string;
}

/** Where the schema stands; reads only (creates nothing, not even the migrations table). */
export function sqliteSchemaStatus(
  db: Database.Database,
  files: readonly MigrationFile[],
): SchemaStatus {
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  const applied = table
    ? (db
        .prepare('SELECT version, name FROM schema_migrations ORDER BY version')
        .all() as AppliedMigration[])
    : undefined;
  return schemaStatus(files, applied);
}

/**
 * Returns the names of the migrations applied by this call; `onApplied` hears of each as it is
 * committed. Refuses (StoreError `schema-newer`) a store a newer router has migrated.
 */
export function migrateSqlite(
  db: Database.Database,
  files: readonly MigrationFile[],
  onApplied: (name: string, ms: number) => void = () => undefined,
): string[] {
  db.exec(CREATE_TABLE);
  refuseNewerSchema(sqliteSchemaStatus(db, files));
  const find = db.prepare('SELECT name, checksum FROM schema_migrations WHERE version = ?');
  const record = db.prepare(
    'INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)',
  );
  const applied: string[] = [];
  for (const file of files) {
    const apply = db.transaction(() => {
      const done = find.get(file.version) as AppliedRow | undefined;
      if (done) {
        if (done.checksum !== file.checksum) {
          throw new StoreError(
            'migration-failed',
            `migration ${file.name} was changed after it was applied as ${done.name}; ` +
              'migrations are append-only, add a new one instead',
          );
        }
        return;
      }
      db.exec(file.sql);
      record.run(file.version, file.name, file.checksum, new Date().toISOString());
      applied.push(file.name);
    });
    const started = performance.now();
    apply.immediate();
    if (applied.at(-1) === file.name) onApplied(file.name, Math.round(performance.now() - started));
  }
  return applied;
}
