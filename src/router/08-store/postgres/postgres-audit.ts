/** The audit log on PostgreSQL (audit-log.ts): the audit_log table. */
import type { AuditEntry, AuditLog, AuditQuery, AuditRecord } from '../audit-log.js';
import type { PostgresConnection } from './postgres-connection.js';

interface AuditRow {
  seq: string;
  at: Date;
  actor: string;
  role: string | null;
  action: string;
  target: string | null;
  detail: string | null;
  outcome: string;
  client: string;
}

export const SQL = {
  insert:
    'INSERT INTO audit_log (at, actor, role, action, target, detail, outcome, client) ' +
    'VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
  prune:
    'WITH x AS (DELETE FROM audit_log WHERE seq IN ' +
    '(SELECT seq FROM audit_log WHERE at < $1 ORDER BY at LIMIT $2 FOR UPDATE SKIP LOCKED) ' +
    'RETURNING 1) SELECT count(*)::int AS n FROM x',
} as const;

/** The list query and its values for the filters given. */
export function auditList(q: AuditQuery): { sql: string; values: unknown[] } {
  const values: unknown[] = [];
  const where: string[] = [];
  const add = (clause: (n: string) => string, value: unknown) => {
    values.push(value);
    where.push(clause(`$${values.length}`));
  };
  if (q.since) add((n) => `at >= ${n}`, q.since);
  if (q.until) add((n) => `at < ${n}`, q.until);
  if (q.actor !== undefined) add((n) => `actor = ${n}`, q.actor);
  if (q.action !== undefined) add((n) => `action = ${n}`, q.action);
  if (q.beforeSeq !== undefined) add((n) => `seq < ${n}`, q.beforeSeq);
  values.push(q.limit);
  return {
    sql:
      'SELECT seq, at, actor, role, action, target, detail, outcome, client FROM audit_log' +
      (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
      ` ORDER BY seq DESC LIMIT $${values.length}`,
    values,
  };
}

const toAuditRecord = (r: AuditRow): AuditRecord => ({
  seq: Number(r.seq),
  at: r.at,
  actor: r.actor,
  ...(r.role !== null && { role: r.role }),
  action: r.action as AuditRecord['action'],
  ...(r.target !== null && { target: r.target }),
  ...(r.detail !== null && { detail: r.detail }),
  outcome: r.outcome as AuditRecord['outcome'],
  client: r.client,
});

export class PostgresAuditLog implements AuditLog {
  constructor(private readonly c: PostgresConnection) {}

  async record(e: AuditEntry): Promise<void> {
    await this.c.query(SQL.insert, [
      e.at,
      e.actor,
      e.role ?? null,
      e.action,
      e.target ?? null,
      e.detail ?? null,
      e.outcome,
      e.client,
    ]);
  }

  async list(q: AuditQuery): Promise<readonly AuditRecord[]> {
    const { sql, values } = auditList(q);
    return (await this.c.query<AuditRow>(sql, values)).map(toAuditRecord);
  }

  async prune(before: Date, limit: number): Promise<number> {
    const [row] = await this.c.query<{ n: number }>(SQL.prune, [
      before,
      Math.max(0, Math.trunc(limit)),
    ]);
    return row!.n;
  }
}
