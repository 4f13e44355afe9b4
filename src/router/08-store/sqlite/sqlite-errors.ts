/** Turns what better-sqlite3 throws into a StoreError the pipeline can act on. */
import Database from 'better-sqlite3';
import { StoreError } from '../store-error.js';

const BUSY = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED']);

/**
 * better-sqlite3's native part keeps the SqliteError class of the first copy of the module that
 * loaded it in the process; a second copy (jest gives each test file its own module registry and
 * realm) then receives errors of the first copy's class, so `instanceof` alone would miss them.
 */
type SqliteError = InstanceType<typeof Database.SqliteError>;
const isSqliteError = (err: unknown): err is SqliteError =>
  err instanceof Database.SqliteError ||
  (typeof err === 'object' &&
    err !== null &&
    (err as { name?: unknown }).name === 'SqliteError' &&
    typeof (err as { code?: unknown }).code === 'string' &&
    typeof (err as { message?: unknown }).message === 'string');

export function toStoreError(err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  if (isSqliteError(err)) {
    const busy = BUSY.has(err.code) || err.code.startsWith('SQLITE_BUSY_');
    return new StoreError(busy ? 'busy' : 'failed', `SQLite: ${err.message} (${err.code})`, busy, {
      cause: err,
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new StoreError('failed', `SQLite: ${message}`, false, { cause: err });
}
