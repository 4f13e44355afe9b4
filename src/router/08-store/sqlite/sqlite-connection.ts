/**
 * One better-sqlite3 connection: statements prepared once, transactions, and every error turned
 * into a StoreError. Calls are synchronous underneath; the store wraps them in promises.
 *
 * Writes are group-committed: the writes asked for in one turn of the event loop (the pipeline
 * handles up to `prefetch` messages at once) run in ONE transaction and commit together with a
 * single sync of the WAL; if one of them throws, the batch runs again with a savepoint per write,
 * so the failing write rolls back alone (`#flush`). A write's promise resolves only after that
 * commit: durable on resolve.
 */
import type Database from 'better-sqlite3';
import { settleBatch, type Outcome } from '../batch-outcomes.js';
import { StoreError } from '../store-error.js';
import { toStoreError } from './sqlite-errors.js';

interface PendingWrite {
  readonly fn: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
}

/** One write of a batch without savepoints threw: the batch is run again with them. */
class WriteFailed extends Error {}

export class SqliteConnection {
  readonly #statements = new Map<string, Database.Statement>();
  #pending: PendingWrite[] = [];

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
    if (!this.db.open)
      return Promise.reject(new StoreError('closed', 'the message store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (this.#pending.length === 1) setImmediate(() => this.#flush());
    });
  }

  /**
   * Commits every pending write in one IMMEDIATE transaction. First without savepoints (the common
   * case: nothing fails, and a savepoint per write doubles the cost of a batch); if a write throws,
   * that attempt is rolled back whole and the batch runs again with a savepoint per write, so the
   * failing write rolls back alone and the others commit.
   */
  #flush(): void {
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    let outcomes: Outcome[];
    try {
      if (!this.db.open) throw new StoreError('closed', 'the message store is closed');
      try {
        outcomes = this.#commit(batch, false);
      } catch (err) {
        if (!(err instanceof WriteFailed)) throw err;
        outcomes = this.#commit(batch, true);
      }
    } catch (err) {
      settleBatch(batch, { failed: err }, toStoreError);
      return;
    }
    settleBatch(batch, { outcomes }, toStoreError);
  }

  #commit(batch: readonly PendingWrite[], savepoints: boolean): Outcome[] {
    const outcomes: Outcome[] = [];
    this.db
      .transaction(() => {
        for (const op of batch) {
          try {
            outcomes.push({ ok: true, value: savepoints ? this.db.transaction(op.fn)() : op.fn() });
          } catch (error) {
            if (!savepoints) throw new WriteFailed();
            outcomes.push({ ok: false, error });
          }
        }
      })
      .immediate();
    return outcomes;
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
    this.#flush();
    this.#statements.clear();
    if (this.db.open) this.db.close();
  }
}
