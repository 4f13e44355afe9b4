/**
 * The console's message search and figures on PostgreSQL (message-queries.ts). Which index
 * answers which filter: migrations/sqlite/008-console.sql (the same indexes here).
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
import type { PostgresConnection } from './postgres-connection.js';

const WINDOW = 'received_at >= $1 AND received_at < $2';

export const SQL = {
  events:
    'SELECT message_id::text AS message_id, state, endpoint_id, at FROM message_events ' +
    'WHERE message_id = ANY($1::uuid[]) ORDER BY message_id, seq',
  buckets:
    'SELECT (floor(extract(epoch FROM received_at) / $3) * $3)::bigint AS bucket, ' +
    "coalesce(outcome, 'in-progress') AS outcome, count(*)::int AS n FROM messages " +
    `WHERE ${WINDOW} GROUP BY 1, 2`,
  nacks:
    'SELECT e.code AS code, count(*)::int AS n FROM messages m ' +
    'JOIN message_events e ON e.message_id = m.id ' +
    "AND e.state IN ('nacked', 'quarantined') AND e.code IS NOT NULL " +
    'WHERE m.received_at >= $1 AND m.received_at < $2 GROUP BY 1',
  planVersions:
    'SELECT plan_id, version, event, endpoint_id, at FROM careplan_versions ' +
    'WHERE tracking_id = $1 ORDER BY at, plan_id, version',
  latencies:
    'SELECT extract(epoch FROM completed_at - received_at) * 1000 AS ms FROM messages ' +
    `WHERE ${WINDOW} AND completed_at IS NOT NULL ORDER BY received_at DESC LIMIT $3`,
} as const;

/** The search statement and its values for the filters given. */
export function search(
  f: MessageFilter,
  limit: number,
  after?: PageAfter,
): { sql: string; values: unknown[] } {
  const values: unknown[] = [];
  const where: string[] = [];
  const $ = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  if (f.trackingId !== undefined)
    where.push(`tracking_id = ANY(${$(generationKeys(f.trackingId))}::text[])`);
  if (f.sender !== undefined) where.push(`sender_endpoint_id = ${$(f.sender)}`);
  if (f.recipient !== undefined)
    where.push(
      "EXISTS (SELECT 1 FROM message_events e WHERE e.state = 'delivered' " +
        `AND e.endpoint_id = ${$(f.recipient)} AND e.message_id = messages.id)`,
    );
  if (f.state !== undefined) where.push(`state = ${$(f.state)}`);
  if (f.service !== undefined) where.push(`service = ${$(f.service)}`);
  if (f.since) where.push(`received_at >= ${$(f.since)}`);
  if (f.until) where.push(`received_at < ${$(f.until)}`);
  if (after) where.push(`(received_at, id) < (${$(after.receivedAt)}, ${$(after.id)}::uuid)`);
  const columns =
    'SELECT id::text AS id, tracking_id, sender_endpoint_id, service, state, outcome, received_at';
  const filtered = `FROM messages${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;
  const order = ` ORDER BY received_at DESC, id DESC LIMIT ${$(limit)}`;
  // A tracking id matches a handful of rows: find them first (its index), then order them. Left
  // to itself, the planner may walk the receipt-time index hoping to meet them early (LIMIT).
  return {
    sql:
      f.trackingId !== undefined
        ? `WITH m AS MATERIALIZED (${columns} ${filtered}) SELECT * FROM m${order}`
        : `${columns} ${filtered}${order}`,
    values,
  };
}

export class PostgresMessageQueries implements MessageQueries {
  constructor(private readonly c: PostgresConnection) {}

  async search(
    f: MessageFilter,
    limit: number,
    after?: PageAfter,
  ): Promise<readonly MessageSummary[]> {
    const { sql, values } = search(f, limit, after);
    const rows = await this.c.query<SummaryRow & { received_at: Date }>(sql, values);
    if (rows.length === 0) return [];
    const events = await this.c.query<{
      message_id: string;
      state: string;
      endpoint_id: string | null;
      at: Date;
    }>(SQL.events, [rows.map((r) => r.id)]);
    return rows.map((r) => summary(r, events));
  }

  async planVersionsOf(trackingId: string): Promise<readonly PlanVersionOf[]> {
    const rows = await this.c.query<{
      plan_id: string;
      version: number;
      event: string;
      endpoint_id: string;
      at: Date;
    }>(SQL.planVersions, [trackingId]);
    return rows.map((r) => ({
      planId: r.plan_id,
      version: r.version,
      event: r.event,
      endpointId: r.endpoint_id,
      at: r.at,
    }));
  }

  async stats(since: Date, until: Date, bucketSeconds: number): Promise<StoreStats> {
    const [rows, nacks, latencies] = await Promise.all([
      this.c.query<{ bucket: string; outcome: string; n: number }>(SQL.buckets, [
        since,
        until,
        bucketSeconds,
      ]),
      this.c.query<{ code: string; n: number }>(SQL.nacks, [since, until]),
      this.c.query<{ ms: string }>(SQL.latencies, [since, until, LATENCY_SAMPLE]),
    ]);
    return {
      buckets: toBuckets(
        rows.map((r) => ({ at: Number(r.bucket) * 1000, outcome: r.outcome, n: r.n })),
      ),
      nacksByCode: Object.fromEntries(nacks.map((r) => [r.code, r.n])),
      latenciesMs: latencies
        .map((r) => Math.max(0, Math.round(Number(r.ms))))
        .sort((a, b) => a - b),
    };
  }
}
