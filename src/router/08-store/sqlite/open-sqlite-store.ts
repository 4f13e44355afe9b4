/** Opens the SQLite message store: the file, its settings, and where its migrations are. */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { MessageStore } from '../message-store.js';
import { bundledMigrationsDir } from '../migration-files.js';
import type { LeaseOptions } from '../processing-lease.js';
import { SqliteMessageStore } from './sqlite-message-store.js';

export interface SqliteStoreOptions extends LeaseOptions {
  /** Folder of `NNN-name.sql` files; defaults to the package's `migrations/sqlite`. */
  readonly migrationsDir?: string;
  /** How long a write waits for another connection's lock before failing as `busy`. */
  readonly busyTimeoutMs?: number;
}

/**
 * Connection settings. WAL lets readers (track, /readyz) run while the router writes.
 * synchronous=FULL, not NORMAL: the router acks a message to the broker only once its record is
 * written, and with NORMAL in WAL mode a power cut can roll back commits that were already
 * reported, losing the duplicate key and the router's own answers for messages the broker has
 * forgotten. FULL syncs the WAL on every commit; group commit (sqlite-connection.ts) makes that one
 * sync per batch of concurrent messages rather than one per write (294 → 1,675 msg/s in the
 * router bench).
 */
export function applyPragmas(db: Database.Database, busyTimeoutMs = 1000): void {
  db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`); // first, so the switch to WAL waits too
  // 16 KB pages: a commit appends every page it changed to the WAL (two writes each), and a few
  // large pages cost less than many small ones (store alone: 124 → 95 µs per message). Takes
  // effect only on a new, empty file; an existing store keeps its page size.
  db.pragma('page_size = 16384');
  db.pragma('journal_mode = WAL');
  // Up to 64 MiB of pages cached in the process (the default is 2 MB): the indexes keyed by
  // tracking id and plan id take a random page per message, read from the file when not cached
  // (store alone, 60,000 messages: 7,064 → 8,175 msg/s).
  db.pragma('cache_size = -65536');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
}

/**
 * The store holds patient data: its file is created readable and writable by its owner only
 * (0600, in a folder created 0700), and an existing one is narrowed to 0600. SQLite gives the
 * `-wal` and `-shm` files it creates the database file's mode; existing ones are narrowed too.
 */
function createPrivately(file: string): void {
  const resolved = path.resolve(file);
  fs.mkdirSync(path.dirname(resolved), { recursive: true, mode: 0o700 });
  fs.closeSync(fs.openSync(resolved, 'a', 0o600));
  for (const f of [resolved, `${resolved}-wal`, `${resolved}-shm`]) {
    try {
      if ((fs.statSync(f).mode & 0o077) !== 0) fs.chmodSync(f, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

/** Open (creating the file and its folder if needed) a SQLite store; `:memory:` for a throwaway one. Call `migrate()` before use. */
export async function openSqliteStore(
  file: string,
  options: SqliteStoreOptions = {},
): Promise<MessageStore> {
  if (file !== ':memory:') createPrivately(file);
  const db = new Database(file);
  try {
    applyPragmas(db, options.busyTimeoutMs);
  } catch (err) {
    db.close();
    throw err;
  }
  return new SqliteMessageStore(
    db,
    options.migrationsDir ?? bundledMigrationsDir('sqlite'),
    options,
  );
}
