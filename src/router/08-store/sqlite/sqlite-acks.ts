/** Acknowledgement timeouts on SQLite (ack-expectations.ts): the ack_expectations table. */
import {
  ACK_KINDS,
  acksSettledBy,
  overdueDetail,
  settles,
  type AckExpectations,
  type AckKind,
  type ExpectedAck,
  type OverdueAck,
} from '../ack-expectations.js';
import type { MessageId } from '../message-store.js';
import { splitGenerationKey } from '../replay-generations.js';
import type { CorrelationState } from '../states.js';
import type { SqliteConnection } from './sqlite-connection.js';
import { toText } from './sqlite-rows.js';
import { SqliteWrites } from './sqlite-writes.js';

interface ExpectationRow {
  message_id: string;
  kind: AckKind;
  endpoint_id: string;
  due_at: string;
  overdue_at: string | null;
  tracking_id: string;
  sender_endpoint_id: string | null;
  service: string;
}

const COLUMNS =
  'e.message_id, e.kind, e.endpoint_id, e.due_at, e.overdue_at, m.tracking_id, m.sender_endpoint_id, m.service ' +
  'FROM ack_expectations e JOIN messages m ON m.id = e.message_id';

export const SQL = {
  /** The answers already correlated with a message (an ack may overtake the completion). */
  answers:
    'SELECT state, endpoint_id, at FROM message_events WHERE message_id = ? ' +
    'AND ack_tracking_id IS NOT NULL AND endpoint_id IS NOT NULL ORDER BY seq',
  insert:
    'INSERT INTO ack_expectations (message_id, kind, endpoint_id, due_at, met_at) ' +
    'VALUES (@id, @kind, @endpointId, @dueAt, @metAt) ON CONFLICT DO NOTHING',
  meet:
    'UPDATE ack_expectations SET met_at = @at WHERE message_id = @id AND kind = @kind ' +
    'AND endpoint_id = @by AND met_at IS NULL',
  due:
    `SELECT ${COLUMNS} WHERE e.met_at IS NULL AND e.overdue_at IS NULL AND e.due_at <= @now ` +
    'ORDER BY e.due_at LIMIT @limit',
  mark:
    'UPDATE ack_expectations SET overdue_at = @now WHERE message_id = @id AND kind = @kind ' +
    'AND endpoint_id = @endpointId AND met_at IS NULL AND overdue_at IS NULL',
  overdue:
    `SELECT ${COLUMNS} WHERE e.met_at IS NULL AND e.overdue_at IS NOT NULL ` +
    'ORDER BY e.due_at, m.tracking_id, e.kind, e.endpoint_id LIMIT @limit',
  count:
    'SELECT kind, count(*) AS n FROM ack_expectations ' +
    'WHERE met_at IS NULL AND overdue_at IS NOT NULL GROUP BY kind',
} as const;

const toOverdue = (r: ExpectationRow, markedAt?: Date): OverdueAck => ({
  messageId: r.message_id,
  trackingId: splitGenerationKey(r.tracking_id).trackingId, // a replay's generation mark off
  senderEndpointId: r.sender_endpoint_id,
  service: r.service,
  kind: r.kind,
  endpointId: r.endpoint_id,
  dueAt: new Date(r.due_at),
  markedAt: markedAt ?? new Date(r.overdue_at!),
});

export class SqliteAckExpectations implements AckExpectations {
  readonly #writes: SqliteWrites;

  constructor(private readonly c: SqliteConnection) {
    this.#writes = new SqliteWrites((sql) => c.prepare(sql));
  }

  /** Records what a completed message expects; inside complete's transaction. */
  record(messageId: MessageId, expected: readonly ExpectedAck[] | undefined): void {
    if (!expected || expected.length === 0) return;
    const answers = this.c.prepare(SQL.answers).all(messageId) as {
      state: string;
      endpoint_id: string;
      at: string;
    }[];
    for (const e of expected) {
      const met = answers.find((a) => a.endpoint_id === e.endpointId && settles(a.state, e.kind));
      this.c.prepare(SQL.insert).run({
        id: messageId,
        kind: e.kind,
        endpointId: e.endpointId,
        dueAt: toText(e.dueAt),
        metAt: met?.at ?? null,
      });
    }
  }

  /** Marks met what an answer from `by` settles; inside correlate's transaction. */
  settle(messageId: MessageId, state: CorrelationState, by: string, at: Date): void {
    for (const kind of acksSettledBy(state))
      this.c.prepare(SQL.meet).run({ id: messageId, kind, by, at: toText(at) });
  }

  async markOverdue(now: Date, limit: number): Promise<readonly OverdueAck[]> {
    return this.c.write(() => {
      const due = this.c
        .prepare(SQL.due)
        .all({ now: toText(now), limit: Math.max(0, Math.trunc(limit)) }) as ExpectationRow[];
      const marked: OverdueAck[] = [];
      for (const r of due) {
        const key = { id: r.message_id, kind: r.kind, endpointId: r.endpoint_id };
        if (this.c.prepare(SQL.mark).run({ ...key, now: toText(now) }).changes === 0) continue;
        const ack = toOverdue(r, now);
        this.#writes.insertEvent(r.message_id, this.#writes.currentState(r.message_id), {
          state: 'ack-overdue',
          at: now,
          endpointId: r.endpoint_id,
          detail: overdueDetail(ack.kind, ack.dueAt),
        });
        marked.push(ack);
      }
      return marked;
    });
  }

  async overdue(limit = 1000): Promise<readonly OverdueAck[]> {
    return this.c.run(() =>
      (this.c.prepare(SQL.overdue).all({ limit: Math.trunc(limit) }) as ExpectationRow[]).map((r) =>
        toOverdue(r),
      ),
    );
  }

  async countOverdue(): Promise<Readonly<Record<AckKind, number>>> {
    return this.c.run(() => {
      const counts = Object.fromEntries(ACK_KINDS.map((k) => [k, 0])) as Record<AckKind, number>;
      for (const r of this.c.prepare(SQL.count).all() as { kind: AckKind; n: number }[])
        if (Object.hasOwn(counts, r.kind)) counts[r.kind] = r.n;
      return counts;
    });
  }
}
