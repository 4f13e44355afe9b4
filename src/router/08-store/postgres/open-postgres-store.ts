/** Opens the PostgreSQL message store: the pool, its schema, and where its migrations are. */
import pg from 'pg';
import type { MessageStore } from '../message-store.js';
import { bundledMigrationsDir } from '../migration-files.js';
import type { LeaseOptions } from '../processing-lease.js';
import { StoreError } from '../store-error.js';
import { DEFAULT_BATCHES, PostgresConnection } from './postgres-connection.js';
import { PostgresMessageStore } from './postgres-message-store.js';

export interface PostgresStoreOptions extends LeaseOptions {
  /**
   * The schema that holds the store's tables (the connections' search_path); `migrate()` creates
   * it if missing. Lower-case letters, digits and `_`. Default: the server's search_path (public).
   */
  readonly schema?: string;
  /** Folder of `NNN-name.sql` files; defaults to the package's `migrations/postgres`. */
  readonly migrationsDir?: string;
  /** Connections in the pool, for reads and (up to `batches` of them) group-committed writes. Default 10. */
  readonly poolSize?: number;
  /**
   * How many group-committed batches of writes may commit at once, each on a pooled connection
   * (postgres-connection.ts). Default 2, at most the pool size less one (left for reads).
   */
  readonly batches?: number;
  /** How long getting a connection may take before the call fails as `busy`. Default 10 s. */
  readonly connectTimeoutMs?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * A PostgreSQL store on `url` (`postgres://user:password@host:port/database`). Connects lazily:
 * an unreachable server shows at the first call (`busy`, retryable). Call `migrate()` before use.
 */
export async function openPostgresStore(
  url: string,
  options: PostgresStoreOptions = {},
): Promise<MessageStore> {
  const { schema } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema))
    throw new StoreError('invalid-argument', `schema "${schema}" is not a plain lower-case name`);
  if (schema !== undefined && /[?&]options=/.test(url))
    throw new StoreError('invalid-argument', 'give the schema or options= in the URL, not both');
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    // Shows in pg_stat_activity which router, and which schema, a connection serves.
    application_name: schema === undefined ? 'itk-router' : `itk-router/${schema}`,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  // Group commit (postgres-connection.ts): a few batches at once, leaving a connection for reads.
  const poolSize = options.poolSize ?? 10;
  const connection = new PostgresConnection(
    pool,
    Math.max(1, Math.min(options.batches ?? DEFAULT_BATCHES, poolSize - 1)),
  );
  return new PostgresMessageStore(
    connection,
    options.migrationsDir ?? bundledMigrationsDir('postgres'),
    schema,
    options,
  );
}
