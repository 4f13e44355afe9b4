/**
 * Applies migration files to a PostgreSQL schema. Each file runs in its own transaction that
 * first takes a transaction-scoped advisory lock for the schema, then re-reads
 * `schema_migrations`: several router instances starting at once apply each file once, and a
 * file that fails leaves nothing behind (DDL is transactional in PostgreSQL).
 */
import type { MigrationFile } from '../migration-files.js';
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

/**
 * Returns the names of the migrations applied by this call. `schema`, when given, is created if
 * missing (the connections already have it as their search_path).
 */
export async function migratePostgres(
  c: PostgresConnection,
  files: readonly MigrationFile[],
  schema: string | undefined,
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
  }, 'cannot create schema_migrations');

  const applied: string[] = [];
  for (const file of files) {
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
  }
  return applied;
}
