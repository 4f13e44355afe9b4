/**
 * Retention on SQLite (retention.ts). Each prune is one write, so it joins the connection's group
 * commit like any pipeline write: keep `limit` small (hundreds) so that no batch holds the write
 * lock for long.
 */
import { cutoff, type RetentionRule, type RetentionStore } from '../retention.js';
import type { SqliteConnection } from './sqlite-connection.js';
import { toText } from './sqlite-rows.js';

/** Completed messages of a state received before a time (the messages_state_received indexes). */
const OLD = 'state = @state AND received_at < @before AND completed_at IS NOT NULL';
const OLD_WITH_BODY = `${OLD} AND body_cleared_at IS NULL`;
const CLOSED_PLANS =
  'FROM careplans p WHERE p.closed = 1 AND ' +
  '(SELECT MAX(v.at) FROM careplan_versions v WHERE v.plan_id = p.plan_id) < @before';

export const SQL = {
  clearBodies:
    "UPDATE messages SET original = X'', body_cleared_at = @now WHERE rowid IN " +
    `(SELECT rowid FROM messages WHERE ${OLD_WITH_BODY} ORDER BY received_at LIMIT @limit)`,
  countBodies: `SELECT count(*) AS n FROM messages WHERE ${OLD_WITH_BODY}`,
  /** Events, responses and expected acks go with the record (ON DELETE CASCADE). */
  deleteRecords:
    'DELETE FROM messages WHERE rowid IN ' +
    `(SELECT rowid FROM messages WHERE ${OLD} ORDER BY received_at LIMIT @limit)`,
  countRecords: `SELECT count(*) AS n FROM messages WHERE ${OLD}`,
  closedPlans: `SELECT p.plan_id AS id ${CLOSED_PLANS} LIMIT @limit`,
  countClosedPlans: `SELECT count(*) AS n ${CLOSED_PLANS}`,
  deletePlanUpdates: 'DELETE FROM careplan_updates WHERE plan_id = ?',
  deletePlanVersions: 'DELETE FROM careplan_versions WHERE plan_id = ?',
  deletePlan: 'DELETE FROM careplans WHERE plan_id = ? AND closed = 1',
} as const;

export class SqliteRetention implements RetentionStore {
  constructor(private readonly c: SqliteConnection) {}

  async prune(rule: RetentionRule, now: Date, limit: number): Promise<number> {
    const before = toText(cutoff(rule, now));
    const n = Math.max(0, Math.trunc(limit));
    const t = rule.target;
    return this.c.write(() => {
      if (t.kind === 'bodies')
        return this.c
          .prepare(SQL.clearBodies)
          .run({ state: t.state, before, now: toText(now), limit: n }).changes;
      if (t.kind === 'records')
        return this.c.prepare(SQL.deleteRecords).run({ state: t.state, before, limit: n }).changes;
      const ids = (
        this.c.prepare(SQL.closedPlans).all({ before, limit: n }) as { id: string }[]
      ).map((r) => r.id);
      for (const id of ids) {
        this.c.prepare(SQL.deletePlanUpdates).run(id);
        this.c.prepare(SQL.deletePlanVersions).run(id);
        this.c.prepare(SQL.deletePlan).run(id);
      }
      return ids.length;
    });
  }

  async count(rule: RetentionRule, now: Date): Promise<number> {
    const before = toText(cutoff(rule, now));
    const t = rule.target;
    return this.c.run(() => {
      const row =
        t.kind === 'closed-care-plans'
          ? this.c.prepare(SQL.countClosedPlans).get({ before })
          : this.c
              .prepare(t.kind === 'bodies' ? SQL.countBodies : SQL.countRecords)
              .get({ state: t.state, before });
      return (row as { n: number }).n;
    });
  }
}
