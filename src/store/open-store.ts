/** The store named by the config (`sqlite:<path>` or `postgres://…`), migrated and ready. */
import type { StoreConfig } from '../config/router-config.js';
import type { MessageStore } from './message-store.js';
import { openPostgresStore } from './postgres/open-postgres-store.js';
import { openSqliteStore } from './sqlite/open-sqlite-store.js';

export async function openStore(config: StoreConfig): Promise<MessageStore> {
  const store =
    config.kind === 'postgres'
      ? await openPostgresStore(config.url)
      : await openSqliteStore(config.path);
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
