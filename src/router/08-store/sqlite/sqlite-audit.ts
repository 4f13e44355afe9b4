/** The audit log on SQLite (audit-log.ts): the audit_log table. */
import type { AuditEntry, AuditLog, AuditQuery, AuditRecord } from '../audit-log.js';
import type { SqliteConnection } from './sqlite-connection.js';
import { toText } from './sqlite-rows.js';

interface AuditRow {
  seq: number;
  at: string;
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
    'VALUES (@at, @actor, @role, @action, @target, @detail, @outcome, @client)',
  prune:
    'DELETE FROM audit_log WHERE seq IN ' +
    '(SELECT seq FROM audit_log WHERE at < @before ORDER BY at LIMIT @limit)',
} as const;

/** The list query for the filters given (each combination is one prepared statement). */
export function auditListSql(q: AuditQuery): string {
  const where = [
    q.since && 'at >= @since',
    q.until && 'at < @until',
    q.actor !== undefined && 'actor = @actor',
    q.action !== undefined && 'action = @action',
    q.beforeSeq !== undefined && 'seq < @beforeSeq',
  ].filter(Boolean);
  return (
    'SELECT seq, at, actor, role, action, target, detail, outcome, client FROM audit_log' +
    (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
    ' ORDER BY seq DESC LIMIT @limit'
  );
}

export const toAuditRecord = (r: AuditRow): AuditRecord => ({
  seq: r.seq,
  at: new Date(r.at),
  actor: r.actor,
  ...(r.role !== null && { role: r.role }),
  action: r.action as AuditRecord['action'],
  ...(r.target !== null && { target: r.target }),
  ...(r.detail !== null && { detail: r.detail }),
  outcome: r.outcome as AuditRecord['outcome'],
  client: r.client,
});

export class SqliteAuditLog implements AuditLog {
  constructor(private readonly c: SqliteConnection) {}

  async record(e: AuditEntry): Promise<void> {
    await this.c.write(() => {
      this.c.prepare(SQL.insert).run({
        at: toText(e.at),
        actor: e.actor,
        role: e.role ?? null,
        action: e.action,
        target: e.target ?? null,
        detail: e.detail ?? null,
        outcome: e.outcome,
        client: e.client,
      });
    });
  }

  async list(q: AuditQuery): Promise<readonly AuditRecord[]> {
    return this.c.run(() =>
      (
        this.c.prepare(auditListSql(q)).all({
          ...(q.since && { since: toText(q.since) }),
          ...(q.until && { until: toText(q.until) }),
          ...(q.actor !== undefined && { actor: q.actor }),
          ...(q.action !== undefined && { action: q.action }),
          ...(q.beforeSeq !== undefined && { beforeSeq: q.beforeSeq }),
          limit: q.limit,
        }) as AuditRow[]
      ).map(toAuditRecord),
    );
  }

  async prune(before: Date, limit: number): Promise<number> {
    const n = Math.max(0, Math.trunc(limit));
    return this.c.write(
      () => this.c.prepare(SQL.prune).run({ before: toText(before), limit: n }).changes,
    );
  }
}
