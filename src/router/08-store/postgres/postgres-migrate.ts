/**
 * Applies migration files to a PostgreSQL schema. Each file runs in its own transaction that
 * first takes a transaction-scoped advisory lock for the schema, then re-reads
 * `schema_migrations`: several router instances starting at once apply each file once, and a
 * file that fails leaves nothing behind (DDL is transactional in PostgreSQL).
 */
import type { MigrationFile } from '../migration-files.js';
import {
  refuseNewerSchema,
  schemaStatus,
  type AppliedMigration,
  type SchemaStatus,
} from '../schema-status.js';
import { StoreError } from '../store-error.js';
import type { PostgresConnection, Query } from './postgres-connection.js';
import { isRetryableCode, codeOf, toStoreError } from './postgres-errors.js';

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  checksum   text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

interface AppliedRow {
  name: string;
  checksum: string;
}

const APPLIED = 'SELECT version, name FROM schema_migrations ORDER BY version';

/**
 * Where the schema stands; reads only (creates neither the schema nor the migrations table).
 * `schema_migrations` is looked up by the connections' search_path, as the store's tables are.
 */
export async function postgresSchemaStatus(
  c: PostgresConnection,
  files: readonly MigrationFile[],
): Promise<SchemaStatus> {
  try {
    const [found] = await c.query<{ t: string | null }>(
      "SELECT to_regclass('schema_migrations')::text AS t",
    );
    const applied = found?.t ? await c.query<AppliedMigration>(APPLIED) : undefined;
    return schemaStatus(files, applied);
  } catch (err) {
    throw toStoreError(err);
  }
}

/**
 * Returns the names of the migrations applied by this call; `onApplied` hears of each as it is
 * committed. `schema`, when given, is created if missing (the connections already have it as
 * their search_path). Refuses (StoreError `schema-newer`) a store a newer router has migrated.
 */
export async function migratePostgres(
  c: PostgresConnection,
  files: readonly MigrationFile[],
  schema: string | undefined,
  onApplied: (name: string, ms: number) => void = () => undefined,
): Promise<string[]> {
  const step = async <T>(fn: (q: Query) => Promise<T>, what: string): Promise<T> => {
    try {
      return await c.transaction('BEGIN', async (q) => {
        await q('SELECT pg_advisory_xact_lock(hashtext($1))', [
          `itk-router migrate ${schema ?? ''}`,
        ]);
        return fn(q);
      });
    } catch (err) {
      if (err instanceof StoreError || isRetryableCode(codeOf(err))) throw toStoreError(err);
      const reason = err instanceof Error ? err.message : String(err);
      throw new StoreError('migration-failed', `${what}: ${reason}`, false, { cause: err });
    }
  };

  await step(async (q) => {
    if (schema && (await q('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).length === 0)
      await q(`CREATE SCHEMA "${schema}"`);
    await q(CREATE_TABLE);
    refuseNewerSchema(schemaStatus(files, await q<AppliedMigration>(APPLIED)));
  }, 'cannot create schema_migrations');

  const applied: string[] = [];
  for (const file of files) {
    const started = performance.now();
    await step(async (q) => {
      const [done] = await q<AppliedRow>(
        'SELECT name, checksum FROM schema_migrations WHERE version = $1',
        [file.version],
      );
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
      await q(file.sql);
      await q('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        file.version,
        file.name,
        file.checksum,
      ]);
      applied.push(file.name);
    }, `migration ${file.name} failed`);
    if (applied.at(-1) === file.name) onApplied(file.name, Math.round(performance.now() - started));
  }
  return applied;
}
