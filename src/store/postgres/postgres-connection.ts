/**
 * The pool behind the PostgreSQL store: one-statement queries, write transactions, read
 * snapshots, and every error turned into a StoreError.
 *
 * Every write is its own transaction (BEGIN … COMMIT at READ COMMITTED) on a pooled connection,
 * so it is atomic and durable when its promise resolves. Concurrent writes from this and other
 * router instances meet on row locks and unique keys, which the SQL is written for (INSERT … ON
 * CONFLICT DO NOTHING, UPDATE … WHERE version = expected, SELECT … FOR UPDATE). Concurrent commits
 * share WAL flushes in the server, so no group commit is needed here for throughput.
 */
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { StoreError } from '../store-error.js';
import { isConflict, toStoreError } from './postgres-errors.js';

/** Runs one statement, in or out of a transaction. */
export type Query = <R extends QueryResultRow>(sql: string, values?: unknown[]) => Promise<R[]>;

/** How many times a write that lost a serialization or deadlock conflict is run again. */
const CONFLICT_ATTEMPTS = 3;

export class PostgresConnection {
  #closed = false;

  constructor(private readonly pool: Pool) {
    // An idle pooled connection that breaks (server restart) is dropped by the pool; without a
    // listener the 'error' event would end the process.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
  }

  /** One statement, outside any transaction. */
  readonly query: Query = async (sql, values) => {
    this.#open();
    try {
      return (await this.pool.query(sql, values)).rows;
    } catch (err) {
      throw toStoreError(err);
    }
  };

  /** A write: `fn` in one transaction, re-run if it lost a serialization or deadlock conflict. */
  async write<T>(fn: (query: Query) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.transaction('BEGIN', fn);
      } catch (err) {
        if (attempt >= CONFLICT_ATTEMPTS || !isConflict(err)) throw toStoreError(err);
      }
    }
  }

  /** Several reads from one snapshot. */
  async read<T>(fn: (query: Query) => Promise<T>): Promise<T> {
    try {
      return await this.transaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', fn);
    } catch (err) {
      throw toStoreError(err);
    }
  }

  /** A transaction on one pooled client; errors are passed on as thrown, for `write` to judge. */
  async transaction<T>(begin: string, fn: (query: Query) => Promise<T>): Promise<T> {
    this.#open();
    const client = await this.pool.connect();
    const query: Query = async (sql, values) => (await client.query(sql, values)).rows;
    try {
      await client.query(begin);
      const value = await fn(query);
      await client.query('COMMIT');
      client.release();
      return value;
    } catch (err) {
      await rollback(client);
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.pool.end();
  }

  #open(): void {
    if (this.#closed) throw new StoreError('closed', 'the message store is closed');
  }
}

/** Rolls back and returns the client to the pool, or discards it when the connection broke. */
async function rollback(client: PoolClient): Promise<void> {
  try {
    await client.query('ROLLBACK');
    client.release();
  } catch (err) {
    client.release(err instanceof Error ? err : true);
  }
}
