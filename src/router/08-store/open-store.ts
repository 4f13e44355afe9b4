/**
 * The store named by the config (`sqlite:<path>` or `postgres://…`), migrated and ready; for the
 * commands that read, checked to be at this code's schema instead (they never change a store).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { StoreConfig } from '../01-config/router-config.js';
import { refuseNewerSchema } from './schema-status.js';
import { StoreError } from './store-error.js';
import type { MessageStore } from './message-store.js';
import { DEFAULT_LEASE_MS, type LeaseOptions } from './processing-lease.js';
import { openPostgresStore } from './postgres/open-postgres-store.js';
import { openSqliteStore } from './sqlite/open-sqlite-store.js';
import { redactUrl } from '../00-common/redact-url.js';

/**
 * `lease.instanceId` names the router instance the store claims messages for. The lease defaults
 * to 30 s on PostgreSQL, which several instances share; on SQLite, which one instance uses, to 0,
 * so a router restarted after a crash finishes its predecessor's messages without waiting.
 */
export interface OpenStoreOptions {
  /**
   * For commands that read (track, overdue, quarantine, retention): never create a store. A SQLite
   * file that does not exist is an error naming the path looked at, not a new empty store.
   * Nor do they migrate: a store not at this code's schema is refused with the fix.
   */
  readonly existing?: boolean;
  /** Hears of each migration `start` applies, as it is committed (logged at info). */
  readonly onMigrationApplied?: (name: string, ms: number) => void;
}

/** Where the store is, in words for an error (the URL without its password). */
export const storeLabel = (config: StoreConfig): string => redactUrl(config.url);

/** Opens the store as it is: no migration, no check (`itk-router migrate` looks first). */
export async function openStoreAsIs(
  config: StoreConfig,
  lease: LeaseOptions = {},
): Promise<MessageStore> {
  const leaseMs = lease.leaseMs ?? (config.kind === 'postgres' ? DEFAULT_LEASE_MS : 0);
  return config.kind === 'postgres'
    ? openPostgresStore(config.url, { ...lease, leaseMs })
    : openSqliteStore(config.path, { ...lease, leaseMs });
}

/** A read command's check: the store exists and is exactly at this code's schema. */
async function checkSchemaForReading(store: MessageStore, config: StoreConfig): Promise<void> {
  const status = await store.schemaStatus();
  refuseNewerSchema(status);
  if (!status.exists)
    throw new StoreError(
      'failed',
      `no message store at ${storeLabel(config)} (no schema_migrations there): ` +
        'give the store the router uses with ITK_ROUTER_STORE or --config',
    );
  if (status.pending.length > 0)
    throw new StoreError(
      'failed',
      `the store at ${storeLabel(config)} is older than this itk-router: ` +
        `${status.pending.map((m) => m.name).join(', ')} not applied yet. ` +
        'Run `itk-router migrate` (or start the router, which migrates), then try again',
    );
}

export async function openStore(
  config: StoreConfig,
  lease: LeaseOptions = {},
  options: OpenStoreOptions = {},
): Promise<MessageStore> {
  if (options.existing && config.kind === 'sqlite' && config.path !== ':memory:') {
    const file = path.resolve(config.path);
    if (!fs.existsSync(file))
      throw new StoreError(
        'failed',
        `no message store at ${file} (store.url ${config.url}, relative to ${process.cwd()}): ` +
          'run the command where the router runs, or give the store with ITK_ROUTER_STORE or --config',
      );
  }
  const store = await openStoreAsIs(config, lease);
  try {
    if (options.existing) await checkSchemaForReading(store, config);
    else await store.migrate(options.onMigrationApplied);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
