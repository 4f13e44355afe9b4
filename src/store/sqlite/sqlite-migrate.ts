/**
 * Applies migration files to a SQLite database, each in its own IMMEDIATE transaction that first
 * re-reads `schema_migrations`, so two instances migrating one file at once apply each file once.
 */
import type Database from 'better-sqlite3';
import type { MigrationFile } from '../migration-files.js';
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

/** Returns the names of the migrations applied by this call. */
export function migrateSqlite(db: Database.Database, files: readonly MigrationFile[]): string[] {
  db.exec(CREATE_TABLE);
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
    apply.immediate();
  }
  return applied;
}
