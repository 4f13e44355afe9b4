/** Acknowledgement timeouts on PostgreSQL (ack-expectations.ts): the ack_expectations table. */
import {
  ACK_KINDS,
  acksSettledBy,
  overdueDetail,
  type AckExpectations,
  type AckKind,
  type OverdueAck,
} from '../ack-expectations.js';
import type { MessageId } from '../message-store.js';
import { splitGenerationKey } from '../replay-generations.js';
import { advance, type CorrelationState, type MessageState } from '../states.js';
import type { PostgresConnection, Query } from './postgres-connection.js';
import { PostgresWrites } from './postgres-writes.js';

interface ExpectationRow {
  message_id: string;
  kind: AckKind;
  endpoint_id: string;
  due_at: Date;
  overdue_at: Date | null;
  tracking_id: string;
  sender_endpoint_id: string | null;
  service: string;
}

export const SQL = {
  meet:
    'UPDATE ack_expectations SET met_at = $4 WHERE message_id = $1 AND kind = ANY($2::text[]) ' +
    'AND endpoint_id = $3 AND met_at IS NULL',
  /** Candidates, unlocked: the watch then locks their messages (as complete and correlate do first). */
  due:
    'SELECT message_id FROM ack_expectations WHERE met_at IS NULL AND overdue_at IS NULL ' +
    'AND due_at <= $1 ORDER BY due_at LIMIT $2',
  /** Messages another instance (or the pipeline) holds are left for the next scan. */
  lockMessages:
    'SELECT id, state FROM messages WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE SKIP LOCKED',
  mark:
    'UPDATE ack_expectations e SET overdue_at = $2 FROM messages m WHERE m.id = e.message_id ' +
    'AND e.message_id = ANY($1::uuid[]) AND e.met_at IS NULL AND e.overdue_at IS NULL AND e.due_at <= $2 ' +
    'RETURNING e.message_id, e.kind, e.endpoint_id, e.due_at, e.overdue_at, m.tracking_id, ' +
    'm.sender_endpoint_id, m.service',
  overdue:
    'SELECT e.message_id, e.kind, e.endpoint_id, e.due_at, e.overdue_at, m.tracking_id, ' +
    'm.sender_endpoint_id, m.service FROM ack_expectations e JOIN messages m ON m.id = e.message_id ' +
    'WHERE e.met_at IS NULL AND e.overdue_at IS NOT NULL ' +
    'ORDER BY e.due_at, m.tracking_id, e.kind, e.endpoint_id LIMIT $1',
  count:
    'SELECT kind, count(*)::int AS n FROM ack_expectations ' +
    'WHERE met_at IS NULL AND overdue_at IS NOT NULL GROUP BY kind',
} as const;

const toOverdue = (r: ExpectationRow): OverdueAck => ({
  messageId: r.message_id,
  trackingId: splitGenerationKey(r.tracking_id).trackingId, // a replay's generation mark off
  senderEndpointId: r.sender_endpoint_id,
  service: r.service,
  kind: r.kind,
  endpointId: r.endpoint_id,
  dueAt: r.due_at,
  markedAt: r.overdue_at!,
});

/** Marks met what an answer from `by` settles; inside correlate's transaction (message row locked). */
export async function settleExpectedAcks(
  q: Query,
  messageId: MessageId,
  state: CorrelationState,
  by: string,
  at: Date,
): Promise<void> {
  await q(SQL.meet, [messageId, acksSettledBy(state), by, at]);
}

export class PostgresAckExpectations implements AckExpectations {
  constructor(private readonly c: PostgresConnection) {}

  async markOverdue(now: Date, limit: number): Promise<readonly OverdueAck[]> {
    const n = Math.max(0, Math.trunc(limit));
    if (n === 0) return [];
    return this.c.writeAlone(async (q) => {
      const candidates = [
        ...new Set((await q<{ message_id: string }>(SQL.due, [now, n])).map((r) => r.message_id)),
      ];
      if (candidates.length === 0) return [];
      const states = new Map(
        (await q<{ id: string; state: MessageState }>(SQL.lockMessages, [candidates])).map((r) => [
          r.id,
          r.state,
        ]),
      );
      if (states.size === 0) return [];
      const marked = (await q<ExpectationRow>(SQL.mark, [[...states.keys()], now]))
        .map(toOverdue)
        .sort(
          (a, b) =>
            a.dueAt.getTime() - b.dueAt.getTime() ||
            a.messageId.localeCompare(b.messageId) ||
            a.kind.localeCompare(b.kind) ||
            a.endpointId.localeCompare(b.endpointId),
        );
      const writes = new PostgresWrites(q);
      for (const ack of marked) {
        const current = states.get(ack.messageId)!;
        await writes.insertEvent(ack.messageId, current, {
          state: 'ack-overdue',
          at: now,
          endpointId: ack.endpointId,
          detail: overdueDetail(ack.kind, ack.dueAt),
        });
        states.set(ack.messageId, advance(current, 'ack-overdue'));
      }
      return marked;
    });
  }

  async overdue(limit = 1000): Promise<readonly OverdueAck[]> {
    return (await this.c.query<ExpectationRow>(SQL.overdue, [Math.trunc(limit)])).map(toOverdue);
  }

  async countOverdue(): Promise<Readonly<Record<AckKind, number>>> {
    const counts = Object.fromEntries(ACK_KINDS.map((k) => [k, 0])) as Record<AckKind, number>;
    for (const r of await this.c.query<{ kind: AckKind; n: number }>(SQL.count))
      if (Object.hasOwn(counts, r.kind)) counts[r.kind] = r.n;
    return counts;
  }
}
