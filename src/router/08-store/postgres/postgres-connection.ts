/**
 * The pool behind the PostgreSQL store: one-statement queries, group-committed writes, read
 * snapshots, and every error turned into a StoreError.
 *
 * Writes are group-committed, as in the SQLite store (sqlite-connection.ts): the writes asked for
 * while the previous batch runs (the pipeline handles up to `prefetch` messages at once) run in
 * ONE transaction (BEGIN … COMMIT at READ COMMITTED) on one pooled connection, so they share one
 * commit and one WAL flush. A write's promise resolves only after that COMMIT: atomic and durable
 * on resolve, as when each write was its own transaction.
 *
 * A batch first runs without savepoints (the common case: nothing fails). If a write fails (a
 * statement error, or a StoreError its own logic throws), the transaction is rolled back whole and
 * the batch runs again with a savepoint per write, so the failing write rolls back alone and the
 * others commit (`#runBatch`). A batch that lost a deadlock to another batch runs
 * again one write per transaction.
 *
 * Two batches may commit at once, each on its own pooled connection (`batches`, default 2): one
 * batch waiting on a row lock another router instance holds does not stop every write of this
 * one. More would make each batch smaller, and a batch's statements are shared by its writes
 * (below): the router on PostgreSQL used 740 µs of CPU per message with 2, 718–755 with 1 and
 * 807–860 with 4 (`npm run bench -- --store postgres`, 2026-12-08). Writes of different batches (of this instance or of another router
 * instance) meet on row locks and unique keys, which the SQL is written for (INSERT … ON CONFLICT
 * DO NOTHING, UPDATE … WHERE version = expected, SELECT … FOR UPDATE). The pipeline never has two
 * writes of one message in flight, but two batches may still lock two messages in opposite orders
 * (an ack correlated while its original completes); the server then aborts one batch (deadlock)
 * and that batch runs again one write per transaction, which cannot deadlock.
 *
 * Statements are prepared once per connection (named statements): the server parses and plans
 * each text once, not on every call.
 *
 * Statements, not rows, are what cost here: each is a round trip and a system call or two in this
 * process (pg writes each query with one writev). So the busiest writes are write groups
 * (`writeIn`, {@link WriteGroup}): the items of one kind in a batch run as one multi-row statement
 * per table instead of one statement each; and the busiest reads are read groups (`readIn`,
 * {@link ReadGroup}): one statement for every such read of a turn.
 */
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { settleBatch, type Outcome } from '../batch-outcomes.js';
import { StoreError } from '../store-error.js';
import { isConflict, toStoreError } from './postgres-errors.js';

/** Runs one statement, in or out of a transaction. */
export type Query = <R extends QueryResultRow>(sql: string, values?: unknown[]) => Promise<R[]>;

/** How many times a write that lost a serialization or deadlock conflict is run again. */
const CONFLICT_ATTEMPTS = 3;

/** The most writes one batch takes; the rest wait for the next (bounds a batch's lock time). */
const MAX_BATCH = 500;

/** Batches committing at once, by default. */
export const DEFAULT_BATCHES = 2;

/** One item's outcome in a {@link WriteGroup}. */
export type ItemOutcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

/**
 * A kind of write whose items, asked for separately, run together: the writes of one kind in a
 * batch share their statements (one multi-row statement for all of them instead of one each).
 * `run` gets the items in the order asked and returns one outcome per item. An item it refuses
 * (`ok: false`) must have been refused before any statement changed anything for it (a check on
 * rows it read); a statement that fails throws, and then the batch is rolled back and run again
 * with each item alone (a group of one) in its own savepoint, as a write that throws.
 * `run` may be run more than once, each time in a fresh transaction: it keeps no state outside it.
 */
export interface WriteGroup<I, R> {
  readonly run: (query: Query, items: readonly I[]) => Promise<ItemOutcome<R>[]>;
}

/**
 * A kind of one-statement read whose items, asked for in one turn of the event loop, share one
 * statement (`run` gets them in order and returns one result per item). Each read still sees
 * every write that had committed when it was asked for: the statement runs after.
 */
export interface ReadGroup<I, R> {
  readonly run: (query: Query, items: readonly I[]) => Promise<R[]>;
}

interface PendingRead {
  readonly item: unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
}

interface PendingWrite {
  /** A write of its own (a closure)… */
  readonly fn?: (query: Query) => Promise<unknown>;
  /** …or an item of a write group. */
  readonly group?: { readonly kind: WriteGroup<unknown, unknown>; readonly item: unknown };
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
}

/** One write of a batch run without savepoints failed: `index` tells which, `error` why. */
class WriteFailed extends Error {
  constructor(
    readonly index: number,
    readonly error: unknown,
  ) {
    super('a write of the batch failed');
  }
}

/**
 * Named statements: one name per distinct SQL text, prepared by each connection on first use.
 * Only statements with parameters: the others (BEGIN, SAVEPOINT, a migration's several
 * statements) go as simple queries.
 */
const statementNames = new Map<string, string>();
const named = (sql: string, values: unknown[] | undefined) => {
  if (values === undefined) return sql;
  let name = statementNames.get(sql);
  if (name === undefined) {
    name = `itk_${statementNames.size + 1}`;
    statementNames.set(sql, name);
  }
  return { name, text: sql, values };
};

const onClient =
  (client: PoolClient): Query =>
  async (sql, values) =>
    (await client.query(named(sql, values))).rows;

export class PostgresConnection {
  #closed = false;
  #pending: PendingWrite[] = [];
  /** The batches being committed. */
  readonly #flushing = new Set<Promise<void>>();
  #scheduled = false;
  #reads = new Map<ReadGroup<unknown, unknown>, PendingRead[]>();
  /** The read groups running. */
  readonly #reading = new Set<Promise<void>>();

  /**
   * @param batches how many batches may commit at once, each on a connection of its own (a turn's
   *   writes do not wait for the previous batch while a connection is free). At least 1.
   */
  constructor(
    private readonly pool: Pool,
    private readonly batches = DEFAULT_BATCHES,
  ) {
    // An idle pooled connection that breaks (server restart) is dropped by the pool; without a
    // listener the 'error' event would end the process.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
  }

  /** One statement, outside any transaction (its own, if it writes). */
  readonly query: Query = async (sql, values) => {
    this.#open();
    return this.#query(sql, values);
  };

  /** {@link query} without the closed check: for what was asked for before close(). */
  readonly #query: Query = async (sql, values) => {
    try {
      return (await this.pool.query(named(sql, values))).rows;
    } catch (err) {
      throw toStoreError(err);
    }
  };

  /**
   * A write: `fn` joins the next group commit (see above) and its promise resolves once that
   * batch has committed. `fn` may be run more than once (a batch runs again after a conflict or
   * a failing neighbour), each time in a fresh transaction: it must keep no state outside it.
   */
  write<T>(fn: (query: Query) => Promise<T>): Promise<T> {
    return this.#enqueue<T>({ fn });
  }

  /**
   * A write of a kind (see {@link WriteGroup}): joins the next group commit like {@link write},
   * and shares its statements with the other items of that kind in the batch.
   */
  writeIn<I, R>(kind: WriteGroup<I, R>, item: I): Promise<R> {
    return this.#enqueue<R>({ group: { kind: kind as WriteGroup<unknown, unknown>, item } });
  }

  #enqueue<T>(write: Pick<PendingWrite, 'fn' | 'group'>): Promise<T> {
    if (this.#closed)
      return Promise.reject(new StoreError('closed', 'the message store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ ...write, resolve: resolve as (value: unknown) => void, reject });
      this.#schedule();
    });
  }

  /** A write in a transaction of its own (long scans that lock many rows: not batched). */
  async writeAlone<T>(fn: (query: Query) => Promise<T>): Promise<T> {
    this.#open();
    return this.#writeAlone(fn);
  }

  async #writeAlone<T>(fn: (query: Query) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#transaction('BEGIN', fn);
      } catch (err) {
        if (attempt >= CONFLICT_ATTEMPTS || !isConflict(err)) throw toStoreError(err);
      }
    }
  }

  /** A read of a kind (see {@link ReadGroup}): shares one statement with the others of its turn. */
  readIn<I, R>(kind: ReadGroup<I, R>, item: I): Promise<R> {
    if (this.#closed)
      return Promise.reject(new StoreError('closed', 'the message store is closed'));
    return new Promise<R>((resolve, reject) => {
      const group = kind as ReadGroup<unknown, unknown>;
      const pending = this.#reads.get(group);
      const read = { item, resolve: resolve as (value: unknown) => void, reject };
      if (pending) pending.push(read);
      else this.#reads.set(group, [read]);
      if (this.#reads.size === 1 && !pending) setImmediate(() => this.#runReads());
    });
  }

  /** Runs the reads of the turn, one statement per kind; close() waits for them. */
  #runReads(): void {
    const reads = this.#reads;
    this.#reads = new Map();
    for (const [kind, pending] of reads) {
      const running: Promise<void> = kind
        .run(
          this.#query,
          pending.map((r) => r.item),
        )
        .then(
          (results) => pending.forEach((r, i) => r.resolve(results[i])),
          (err: unknown) => {
            const error = toStoreError(err);
            for (const r of pending) r.reject(error);
          },
        )
        .finally(() => this.#reading.delete(running));
      this.#reading.add(running);
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

  /** A transaction on one pooled client; errors are passed on as thrown, for the caller to judge. */
  async transaction<T>(begin: string, fn: (query: Query) => Promise<T>): Promise<T> {
    this.#open();
    return this.#transaction(begin, fn);
  }

  async #transaction<T>(begin: string, fn: (query: Query) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query(begin);
      const value = await fn(onClient(client));
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
    // Reads and writes already asked for are answered (or fail) before the pool ends.
    if (this.#reads.size > 0) this.#runReads();
    while (this.#flushing.size > 0 || this.#pending.length > 0) {
      if (this.#pending.length > 0) void this.#flush();
      await Promise.all(this.#flushing);
    }
    await Promise.all(this.#reading);
    await this.pool.end();
  }

  /**
   * Starts a batch on the next turn of the event loop (so it takes every write of this turn),
   * unless one is scheduled already or every batch connection is busy (then the next batch
   * starts when one finishes, with everything asked for meanwhile).
   */
  #schedule(): void {
    if (this.#scheduled || this.#flushing.size >= this.batches) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      if (this.#flushing.size < this.batches) this.#flush();
    });
  }

  #flush(): void {
    const batch = this.#pending.splice(0, MAX_BATCH);
    if (batch.length === 0) return;
    const flushing: Promise<void> = this.#runBatch(batch).finally(() => {
      this.#flushing.delete(flushing);
      if (this.#pending.length > 0) this.#schedule();
    });
    this.#flushing.add(flushing);
  }

  /**
   * Commits a batch: whole without savepoints; if a write failed, again with one per write; if
   * the batch lost a deadlock to another instance's batch (the same messages, locked in another
   * order), one transaction per write, as before group commit: those cannot deadlock again.
   */
  async #runBatch(batch: readonly PendingWrite[]): Promise<void> {
    if (batch.length === 0) return;
    let outcomes: Outcome[];
    try {
      try {
        outcomes = await this.#transaction('BEGIN', (q) => runWhole(q, batch));
      } catch (err) {
        const error = err instanceof WriteFailed ? err.error : err;
        if (isConflict(error)) outcomes = await this.#oneByOne(batch);
        else if (!(err instanceof WriteFailed)) throw err;
        else if (batch.length === 1) outcomes = [{ ok: false, error }];
        else outcomes = await this.#withSavepoints(batch);
      }
    } catch (err) {
      settleBatch(batch, { failed: err }, toStoreError);
      return;
    }
    settleBatch(batch, { outcomes }, toStoreError);
  }

  /** The batch again, each write in its own savepoint: a failing one rolls back alone. */
  async #withSavepoints(batch: readonly PendingWrite[]): Promise<Outcome[]> {
    try {
      return await this.#transaction('BEGIN', async (q) => {
        const outcomes: Outcome[] = [];
        for (const op of batch) outcomes.push(await inSavepoint(q, op));
        return outcomes;
      });
    } catch (err) {
      if (isConflict(err)) return this.#oneByOne(batch);
      throw err;
    }
  }

  /** Each write in a transaction of its own, one after another. */
  async #oneByOne(batch: readonly PendingWrite[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (const op of batch) {
      try {
        outcomes.push({ ok: true, value: await this.#writeAlone((q) => runOne(q, op)) });
      } catch (error) {
        outcomes.push({ ok: false, error });
      }
    }
    return outcomes;
  }

  #open(): void {
    if (this.#closed) throw new StoreError('closed', 'the message store is closed');
  }
}

/**
 * Runs every write of a batch: the closures in order, then each write group once for all its
 * items. The order does not matter: the writes of one batch were all asked for before any of
 * them committed, so none can depend on another. The first that fails stops the batch.
 */
async function runWhole(q: Query, batch: readonly PendingWrite[]): Promise<Outcome[]> {
  const outcomes = new Array<Outcome>(batch.length);
  const groups = new Map<WriteGroup<unknown, unknown>, number[]>();
  for (const [index, op] of batch.entries()) {
    if (op.group) {
      const indices = groups.get(op.group.kind);
      if (indices) indices.push(index);
      else groups.set(op.group.kind, [index]);
      continue;
    }
    try {
      outcomes[index] = { ok: true, value: await op.fn!(q) };
    } catch (error) {
      throw new WriteFailed(index, error);
    }
  }
  for (const [kind, indices] of groups) {
    let results: Outcome[];
    try {
      results = await kind.run(
        q,
        indices.map((i) => batch[i]!.group!.item),
      );
    } catch (error) {
      throw new WriteFailed(indices[0]!, error);
    }
    indices.forEach((index, n) => (outcomes[index] = results[n]!));
  }
  return outcomes;
}

/** One write on its own: a closure, or an item of a group as a group of one (refused: thrown). */
async function runOne(q: Query, op: PendingWrite): Promise<unknown> {
  if (!op.group) return op.fn!(q);
  const [outcome] = await op.group.kind.run(q, [op.group.item]);
  if (!outcome!.ok) throw outcome!.error;
  return outcome!.value;
}

/**
 * One write inside a savepoint; a failure (statement error or thrown StoreError) rolls back to
 * it and is the write's outcome. A lost deadlock is thrown: the batch then goes one by one.
 */
async function inSavepoint(q: Query, op: PendingWrite): Promise<Outcome> {
  await q('SAVEPOINT itk_write');
  try {
    const value = await runOne(q, op);
    await q('RELEASE SAVEPOINT itk_write');
    return { ok: true, value };
  } catch (error) {
    if (isConflict(error)) throw error;
    // If the connection itself broke, this throws and the whole batch fails (retryable).
    await q('ROLLBACK TO SAVEPOINT itk_write');
    await q('RELEASE SAVEPOINT itk_write');
    return { ok: false, error };
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
