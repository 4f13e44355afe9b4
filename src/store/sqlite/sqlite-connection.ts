/**
 * One better-sqlite3 connection: statements prepared once, transactions, and every error turned
 * into a StoreError. Calls are synchronous underneath; the store wraps them in promises.
 */
import type Database from 'better-sqlite3';
import { StoreError } from '../store-error.js';
import { toStoreError } from './sqlite-errors.js';

export class SqliteConnection {
  readonly #statements = new Map<string, Database.Statement>();

  constructor(readonly db: Database.Database) {}

  prepare(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * A write transaction. IMMEDIATE takes the write lock up front, so another connection's writer
   * makes this one wait (busy_timeout) rather than fail, as a deferred read-then-write would.
   */
  write<T>(fn: () => T): Promise<T> {
    return this.run(() => this.db.transaction(fn).immediate());
  }

  /** Several reads from one snapshot. */
  read<T>(fn: () => T): Promise<T> {
    return this.run(() => this.db.transaction(fn).deferred());
  }

  async run<T>(fn: () => T): Promise<T> {
    if (!this.db.open) throw new StoreError('closed', 'the message store is closed');
    try {
      return fn();
    } catch (err) {
      throw toStoreError(err);
    }
  }

  close(): void {
    this.#statements.clear();
    if (this.db.open) this.db.close();
  }
}
