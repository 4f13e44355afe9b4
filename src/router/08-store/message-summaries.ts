/**
 * The rows of the console's search as summaries, and the dashboard's counts as buckets: the same
 * for both stores (message-queries.ts has the interface).
 */
import type { MessageSummary, StoreStats } from './message-queries.js';
import { splitGenerationKey } from './replay-generations.js';
import type { FinalState, MessageState } from './states.js';

/** A message row as both stores select it for a summary. */
export interface SummaryRow {
  id: string;
  tracking_id: string;
  sender_endpoint_id: string | null;
  service: string;
  state: string;
  outcome: string | null;
  received_at: string | Date;
}

/** A summary row with its recipients and last change, from its events (oldest first). */
export function summary(
  r: SummaryRow,
  events: readonly {
    message_id: string;
    state: string;
    endpoint_id: string | null;
    at: string | Date;
  }[],
): MessageSummary {
  const own = events.filter((e) => e.message_id === r.id);
  const recipients = [
    ...new Set(
      own.filter((e) => e.state === 'delivered' && e.endpoint_id).map((e) => e.endpoint_id!),
    ),
  ];
  const times = own.map((e) => new Date(e.at).getTime());
  const receivedAt = new Date(r.received_at);
  return {
    id: r.id,
    trackingId: splitGenerationKey(r.tracking_id).trackingId,
    senderEndpointId: r.sender_endpoint_id,
    service: r.service,
    state: r.state as MessageState,
    outcome: r.outcome as FinalState | null,
    receivedAt,
    lastChange: new Date(Math.max(receivedAt.getTime(), ...times)),
    recipients,
  };
}

/** Rows of (bucket start ms, outcome, count) as buckets in time order. */
export function toBuckets(
  rows: readonly { at: number; outcome: string; n: number }[],
): StoreStats['buckets'] {
  const byAt = new Map<number, Record<string, number>>();
  for (const r of rows) {
    const outcomes = byAt.get(r.at) ?? {};
    outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + r.n;
    byAt.set(r.at, outcomes);
  }
  return [...byAt.entries()]
    .sort(([a], [b]) => a - b)
    .map(([at, outcomes]) => ({ at: new Date(at), outcomes }));
}
