/**
 * Retention on PostgreSQL (retention.ts). Each prune is one short transaction; rows another
 * transaction holds (a message being correlated, another instance pruning) are skipped, not
 * waited for: `FOR UPDATE SKIP LOCKED`.
 */
import { cutoff, type RetentionRule, type RetentionStore } from '../retention.js';
import type { PostgresConnection } from './postgres-connection.js';

/** Completed messages of a state received before a time (the messages_state_received indexes). */
const OLD = 'state = $1 AND received_at < $2 AND completed_at IS NOT NULL';
const OLD_WITH_BODY = `${OLD} AND body_cleared_at IS NULL`;
const CLOSED_PLANS =
  'FROM careplans p WHERE p.closed AND ' +
  '(SELECT max(v.at) FROM careplan_versions v WHERE v.plan_id = p.plan_id) < $1';

export const SQL = {
  clearBodies:
    "WITH x AS (UPDATE messages SET original = ''::bytea, body_cleared_at = $3 WHERE id IN " +
    `(SELECT id FROM messages WHERE ${OLD_WITH_BODY} ORDER BY received_at LIMIT $4 FOR UPDATE SKIP LOCKED) ` +
    'RETURNING 1) SELECT count(*)::int AS n FROM x',
  countBodies: `SELECT count(*)::int AS n FROM messages WHERE ${OLD_WITH_BODY}`,
  /** Events, responses and expected acks go with the record (ON DELETE CASCADE). */
  deleteRecords:
    'WITH x AS (DELETE FROM messages WHERE id IN ' +
    `(SELECT id FROM messages WHERE ${OLD} ORDER BY received_at LIMIT $3 FOR UPDATE SKIP LOCKED) ` +
    'RETURNING 1) SELECT count(*)::int AS n FROM x',
  countRecords: `SELECT count(*)::int AS n FROM messages WHERE ${OLD}`,
  closedPlans: `SELECT p.plan_id AS id ${CLOSED_PLANS} LIMIT $2 FOR UPDATE OF p SKIP LOCKED`,
  countClosedPlans: `SELECT count(*)::int AS n ${CLOSED_PLANS}`,
  deletePlanUpdates: 'DELETE FROM careplan_updates WHERE plan_id = ANY($1::text[])',
  deletePlanVersions: 'DELETE FROM careplan_versions WHERE plan_id = ANY($1::text[])',
  deletePlans: 'DELETE FROM careplans WHERE plan_id = ANY($1::text[]) AND closed',
} as const;

export class PostgresRetention implements RetentionStore {
  constructor(private readonly c: PostgresConnection) {}

  async prune(rule: RetentionRule, now: Date, limit: number): Promise<number> {
    const before = cutoff(rule, now);
    const n = Math.max(0, Math.trunc(limit));
    const t = rule.target;
    if (t.kind === 'bodies') {
      const [row] = await this.c.query<{ n: number }>(SQL.clearBodies, [t.state, before, now, n]);
      return row!.n;
    }
    if (t.kind === 'records') {
      const [row] = await this.c.query<{ n: number }>(SQL.deleteRecords, [t.state, before, n]);
      return row!.n;
    }
    return this.c.writeAlone(async (q) => {
      const ids = (await q<{ id: string }>(SQL.closedPlans, [before, n])).map((r) => r.id);
      if (ids.length === 0) return 0;
      await q(SQL.deletePlanUpdates, [ids]);
      await q(SQL.deletePlanVersions, [ids]);
      await q(SQL.deletePlans, [ids]);
      return ids.length;
    });
  }

  async count(rule: RetentionRule, now: Date): Promise<number> {
    const before = cutoff(rule, now);
    const t = rule.target;
    const [row] =
      t.kind === 'closed-care-plans'
        ? await this.c.query<{ n: number }>(SQL.countClosedPlans, [before])
        : await this.c.query<{ n: number }>(
            t.kind === 'bodies' ? SQL.countBodies : SQL.countRecords,
            [t.state, before],
          );
    return row!.n;
  }
}
