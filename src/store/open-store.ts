/** The store named by the config (`sqlite:<path>` or `postgres://…`), migrated and ready. */
import fs from 'node:fs';
import path from 'node:path';
import type { StoreConfig } from '../config/router-config.js';
import { StoreError } from './store-error.js';
import type { MessageStore } from './message-store.js';
import { DEFAULT_LEASE_MS, type LeaseOptions } from './processing-lease.js';
import { openPostgresStore } from './postgres/open-postgres-store.js';
import { openSqliteStore } from './sqlite/open-sqlite-store.js';

/**
 * `lease.instanceId` names the router instance the store claims messages for. The lease defaults
 * to 30 s on PostgreSQL, which several instances share; on SQLite, which one instance uses, to 0,
 * so a router restarted after a crash finishes its predecessor's messages without waiting.
 */
export interface OpenStoreOptions {
  /**
   * For commands that read (track, overdue, quarantine, retention): never create a store. A SQLite
   * file that does not exist is an error naming the path looked at, not a new empty store.
   */
  readonly existing?: boolean;
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
  const leaseMs = lease.leaseMs ?? (config.kind === 'postgres' ? DEFAULT_LEASE_MS : 0);
  const store =
    config.kind === 'postgres'
      ? await openPostgresStore(config.url, { ...lease, leaseMs })
      : await openSqliteStore(config.path, { ...lease, leaseMs });
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
