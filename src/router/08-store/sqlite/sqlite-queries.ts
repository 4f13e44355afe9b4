/**
 * The console's message search and figures on SQLite (message-queries.ts). Which index answers
 * which filter: migrations/sqlite/008-console.sql.
 */
import {
  LATENCY_SAMPLE,
  type MessageFilter,
  type MessageQueries,
  type MessageSummary,
  type PageAfter,
  type PlanVersionOf,
  type StoreStats,
} from '../message-queries.js';
import { summary, toBuckets, type SummaryRow } from '../message-summaries.js';
import { generationKeys } from '../replay-generations.js';
import type { SqliteConnection } from './sqlite-connection.js';
import { toText } from './sqlite-rows.js';

interface EventRow {
  message_id: string;
  state: string;
  endpoint_id: string | null;
  at: string;
}

const WINDOW = 'received_at >= @since AND received_at < @until';

export const SQL = {
  events:
    'SELECT message_id, state, endpoint_id, at FROM message_events ' +
    'WHERE message_id IN (SELECT value FROM json_each(@ids)) ORDER BY message_id, seq',
  buckets:
    "SELECT (CAST(strftime('%s', received_at) AS INTEGER) / CAST(@bucket AS INTEGER)) * CAST(@bucket AS INTEGER) AS bucket, " +
    "coalesce(outcome, 'in-progress') AS outcome, count(*) AS n FROM messages " +
    `WHERE ${WINDOW} GROUP BY 1, 2`,
  nacks:
    'SELECT e.code AS code, count(*) AS n FROM messages m ' +
    'JOIN message_events e ON e.message_id = m.id ' +
    "AND e.state IN ('nacked', 'quarantined') AND e.code IS NOT NULL " +
    'WHERE m.received_at >= @since AND m.received_at < @until GROUP BY 1',
  planVersions:
    'SELECT plan_id, version, event, endpoint_id, at FROM careplan_versions ' +
    'WHERE tracking_id = ? ORDER BY at, plan_id, version',
  latencies:
    'SELECT (julianday(completed_at) - julianday(received_at)) * 86400000.0 AS ms FROM messages ' +
    `WHERE ${WINDOW} AND completed_at IS NOT NULL ORDER BY received_at DESC LIMIT @limit`,
} as const;

/** The search statement for the filters given (each combination is one prepared statement). */
export function searchSql(f: MessageFilter, after: boolean): string {
  const where = [
    f.trackingId !== undefined && 'tracking_id IN (SELECT value FROM json_each(@trackingIds))',
    f.sender !== undefined && 'sender_endpoint_id = @sender',
    // walks the messages newest first and stops at the page's end: a probe of the delivered
    // events' index per message, never a sort of every message the end point ever received
    f.recipient !== undefined &&
      "EXISTS (SELECT 1 FROM message_events e WHERE e.state = 'delivered' AND e.endpoint_id = @recipient AND e.message_id = messages.id)",
    f.state !== undefined && 'state = @state',
    f.service !== undefined && 'service = @service',
    f.since && 'received_at >= @since',
    f.until && 'received_at < @until',
    after && '(received_at, id) < (@afterAt, @afterId)',
  ].filter(Boolean);
  return (
    'SELECT id, tracking_id, sender_endpoint_id, service, state, outcome, received_at FROM messages' +
    (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
    ' ORDER BY received_at DESC, id DESC LIMIT @limit'
  );
}

/** The named parameters of {@link searchSql}. */
export function searchParams(
  f: MessageFilter,
  limit: number,
  after?: PageAfter,
): Record<string, unknown> {
  return {
    ...(f.trackingId !== undefined && {
      trackingIds: JSON.stringify(generationKeys(f.trackingId)),
    }),
    ...(f.sender !== undefined && { sender: f.sender }),
    ...(f.recipient !== undefined && { recipient: f.recipient }),
    ...(f.state !== undefined && { state: f.state }),
    ...(f.service !== undefined && { service: f.service }),
    ...(f.since && { since: toText(f.since) }),
    ...(f.until && { until: toText(f.until) }),
    ...(after && { afterAt: toText(after.receivedAt), afterId: after.id }),
    limit,
  };
}

export class SqliteMessageQueries implements MessageQueries {
  constructor(private readonly c: SqliteConnection) {}

  async search(
    f: MessageFilter,
    limit: number,
    after?: PageAfter,
  ): Promise<readonly MessageSummary[]> {
    return this.c.run(() => {
      const rows = this.c
        .prepare(searchSql(f, after !== undefined))
        .all(searchParams(f, limit, after)) as SummaryRow[];
      if (rows.length === 0) return [];
      const events = this.c
        .prepare(SQL.events)
        .all({ ids: JSON.stringify(rows.map((r) => r.id)) }) as EventRow[];
      return rows.map((r) => summary(r, events));
    });
  }

  async planVersionsOf(trackingId: string): Promise<readonly PlanVersionOf[]> {
    return this.c.run(() =>
      (
        this.c.prepare(SQL.planVersions).all(trackingId) as {
          plan_id: string;
          version: number;
          event: string;
          endpoint_id: string;
          at: string;
        }[]
      ).map((r) => ({
        planId: r.plan_id,
        version: r.version,
        event: r.event,
        endpointId: r.endpoint_id,
        at: new Date(r.at),
      })),
    );
  }

  async stats(since: Date, until: Date, bucketSeconds: number): Promise<StoreStats> {
    const window = { since: toText(since), until: toText(until) };
    return this.c.run(() => {
      const rows = this.c.prepare(SQL.buckets).all({ ...window, bucket: bucketSeconds }) as {
        bucket: number;
        outcome: string;
        n: number;
      }[];
      const nacks = this.c.prepare(SQL.nacks).all(window) as { code: string; n: number }[];
      const latencies = this.c.prepare(SQL.latencies).all({ ...window, limit: LATENCY_SAMPLE }) as {
        ms: number;
      }[];
      return {
        buckets: toBuckets(rows.map((r) => ({ at: r.bucket * 1000, outcome: r.outcome, n: r.n }))),
        nacksByCode: Object.fromEntries(nacks.map((r) => [r.code, r.n])),
        latenciesMs: latencies.map((r) => Math.max(0, Math.round(r.ms))).sort((a, b) => a - b),
      };
    });
  }
}
