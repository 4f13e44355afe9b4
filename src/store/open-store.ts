/** The store named by the config (`sqlite:<path>` or `postgres://…`), migrated and ready. */
import type { StoreConfig } from '../config/router-config.js';
import type { MessageStore } from './message-store.js';
import { DEFAULT_LEASE_MS, type LeaseOptions } from './processing-lease.js';
import { openPostgresStore } from './postgres/open-postgres-store.js';
import { openSqliteStore } from './sqlite/open-sqlite-store.js';

/**
 * `lease.instanceId` names the router instance the store claims messages for. The lease defaults
 * to 30 s on PostgreSQL, which several instances share; on SQLite, which one instance uses, to 0,
 * so a router restarted after a crash finishes its predecessor's messages without waiting.
 */
export async function openStore(
  config: StoreConfig,
  lease: LeaseOptions = {},
): Promise<MessageStore> {
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
