/**
 * Another connection, on another thread, that inserts a message and holds the write lock for a
 * while: the SQLite store's real concurrency, which one thread cannot produce.
 */
import { createRequire } from 'node:module';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

const WORKER = `
const { workerData: w, parentPort } = require('node:worker_threads');
const Database = require(w.module);
const db = new Database(w.file);
db.exec('BEGIN IMMEDIATE');
db.prepare("INSERT INTO messages (id, tracking_id, sender_endpoint_id, service, received_at, size, state, original) " +
  "VALUES (?, ?, ?, 'svc', '2025-03-01T09:00:00.000Z', 0, 'received', x'')").run(w.id, w.trackingId, w.sender);
parentPort.postMessage('locked');
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, w.holdMs);
db.exec('COMMIT');
db.close();
`;

export interface HeldLock {
  /** Resolves once the other connection has committed and closed. */
  readonly done: Promise<unknown>;
}

/** Resolves once the other connection holds the lock with its row inserted, not yet committed. */
export async function holdWriteLock(args: {
  file: string;
  id: string;
  trackingId: string;
  sender: string;
  holdMs: number;
}): Promise<HeldLock> {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { ...args, module } });
  const [message] = (await Promise.race([
    once(worker, 'message'),
    once(worker, 'error'),
  ])) as unknown[];
  if (message !== 'locked') throw message;
  return { done: once(worker, 'exit') };
}
