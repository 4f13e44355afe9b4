/** The store named by the config (`sqlite:<path>` or `postgres://…`), migrated and ready. */
import type { StoreConfig } from '../config/router-config.js';
import type { MessageStore } from './message-store.js';
import { openSqliteStore } from './sqlite/open-sqlite-store.js';

export async function openStore(config: StoreConfig): Promise<MessageStore> {
  if (config.kind === 'postgres') {
    throw new Error(
      `store ${config.url}: the PostgreSQL store is not in this release; use sqlite:<path>`,
    );
  }
  const store = await openSqliteStore(config.path);
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
