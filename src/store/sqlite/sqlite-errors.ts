/** Turns what better-sqlite3 throws into a StoreError the pipeline can act on. */
import Database from 'better-sqlite3';
import { StoreError } from '../store-error.js';

const BUSY = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED']);

export function toStoreError(err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  if (err instanceof Database.SqliteError) {
    const busy = BUSY.has(err.code) || err.code.startsWith('SQLITE_BUSY_');
    return new StoreError(busy ? 'busy' : 'failed', `SQLite: ${err.message} (${err.code})`, busy, {
      cause: err,
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new StoreError('failed', `SQLite: ${message}`, false, { cause: err });
}
