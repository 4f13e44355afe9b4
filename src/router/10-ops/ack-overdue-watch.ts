/**
 * The ack-overdue watch: every interval, marks the expected acks whose deadline has passed
 * (store/ack-expectations.ts) in small batches, each an `ack-overdue` event on its message and a
 * warning log line with the tracking id. Every router instance may run it: the store marks each
 * expectation once.
 */
import type { AckExpectations, OverdueAck } from '../08-store/ack-expectations.js';
import { ackName } from '../08-store/ack-expectations.js';
import type { AckTimeouts } from '../09-pipeline/expected-acks.js';
import type { Logger } from '../00-common/logger.js';
import { startPeriodicTask, yieldToEventLoop, type PeriodicTask } from './periodic-task.js';

/** A quarter of the shorter timeout, at most 30 s: an ack is reported at most that late. */
export const watchIntervalMs = (t: AckTimeouts): number =>
  Math.min((Math.min(t.infAckTimeoutSeconds, t.busAckTimeoutSeconds) * 1000) / 4, 30_000);

export interface AckOverdueWatchOptions {
  readonly acks: AckExpectations;
  readonly timeouts: AckTimeouts;
  readonly log: Logger;
  /** Default {@link watchIntervalMs}. */
  readonly intervalMs?: number;
  /** Expectations marked per transaction (default 100). */
  readonly batchSize?: number;
  readonly now?: () => Date;
}

/** Marks everything overdue at `now`, batch by batch; returns what it marked. */
export async function markOverdueAcks(
  o: Pick<AckOverdueWatchOptions, 'acks' | 'log' | 'batchSize'> & {
    readonly now: Date;
    readonly signal?: AbortSignal;
  },
): Promise<OverdueAck[]> {
  const batchSize = o.batchSize ?? 100;
  const all: OverdueAck[] = [];
  for (;;) {
    const marked = await o.acks.markOverdue(o.now, batchSize);
    for (const a of marked) {
      o.log.warn('acknowledgement overdue', {
        trackingId: a.trackingId,
        sender: a.senderEndpointId,
        ack: a.kind,
        from: a.endpointId,
        dueAt: a.dueAt.toISOString(),
        lateSeconds: Math.max(0, Math.round((o.now.getTime() - a.dueAt.getTime()) / 1000)),
        detail: `no ${ackName(a.kind)} from ${a.endpointId}`,
      });
    }
    all.push(...marked);
    if (marked.length < batchSize || o.signal?.aborted) return all;
    await yieldToEventLoop();
  }
}

export function startAckOverdueWatch(o: AckOverdueWatchOptions): PeriodicTask {
  const now = o.now ?? (() => new Date());
  return startPeriodicTask({
    name: 'ack-overdue watch',
    intervalMs: o.intervalMs ?? watchIntervalMs(o.timeouts),
    log: o.log,
    run: async (signal) => {
      await markOverdueAcks({ ...o, now: now(), signal });
    },
  });
}
