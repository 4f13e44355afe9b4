/**
 * The overview: the routes in force (also at the old `/routes`, now signed in), the dashboard's
 * figures over a window (from what the store and the metrics already hold: no second
 * bookkeeping), the audit log and the users (admins).
 */
import type { FastifyInstance } from 'fastify';
import type { AuditAction } from '../../08-store/audit-log.js';
import { percentile } from '../../08-store/message-queries.js';
import {
  AUDIT_ANSWER,
  AUDIT_QUERY,
  schema,
  STATS_ANSWER,
  STATS_QUERY,
  USERS_ANSWER,
} from './api-schemas.js';
import type { HttpDeps } from './http-deps.js';

export const WINDOWS = { '15m': 900, '1h': 3600, '6h': 21_600, '24h': 86_400 } as const;
export type StatsWindow = keyof typeof WINDOWS;

/** Buckets per window: 60 on every chart. */
const BUCKETS = 60;

export async function stats(deps: HttpDeps, window: StatsWindow) {
  const seconds = WINDOWS[window];
  const bucketSeconds = seconds / BUCKETS;
  const until = deps.now();
  // whole buckets, so a chart's bars line up with the clock
  const end = Math.ceil(until.getTime() / 1000 / bucketSeconds) * bucketSeconds * 1000;
  const since = new Date(end - seconds * 1000);
  const [store, depth, overdue, storeState] = await Promise.all([
    deps.store.queries.stats(since, new Date(end), bucketSeconds),
    deps.live.quarantineDepth().catch(() => NaN),
    deps.store.acks.countOverdue(),
    deps.store.ping().then(
      () => 'ok',
      (err: Error) => `unavailable: ${err.message}`,
    ),
  ]);
  const byAt = new Map(store.buckets.map((b) => [b.at.getTime(), b.outcomes]));
  const outcomes: Record<string, number> = {};
  const throughput = Array.from({ length: BUCKETS }, (_, i) => {
    const at = since.getTime() + i * bucketSeconds * 1000;
    const counts = byAt.get(at) ?? {};
    for (const [k, n] of Object.entries(counts)) outcomes[k] = (outcomes[k] ?? 0) + n;
    return {
      at: new Date(at).toISOString(),
      received: Object.values(counts).reduce((a, b) => a + b, 0),
      outcomes: counts,
    };
  });
  const l = store.latenciesMs;
  return {
    window,
    since: since.toISOString(),
    until: until.toISOString(),
    bucketSeconds,
    throughput,
    outcomes,
    nacksByCode: store.nacksByCode,
    latencyMs: {
      sample: l.length,
      p50: percentile(l, 50) ?? null,
      p95: percentile(l, 95) ?? null,
      p99: percentile(l, 99) ?? null,
    },
    quarantineDepth: Number.isFinite(depth) ? depth : null,
    acksOverdue: { inf: overdue.inf, bus: overdue.bus },
    broker: deps.live.brokerConnected() ? 'connected' : 'not connected',
    store: storeState,
  };
}

export interface AuditQueryString {
  since?: string;
  until?: string;
  user?: string;
  action?: AuditAction;
  limit: number;
  cursor?: string;
}

export async function auditPage(deps: HttpDeps, q: AuditQueryString) {
  const rows = await deps.store.audit.list({
    ...(q.since !== undefined && { since: new Date(q.since) }),
    ...(q.until !== undefined && { until: new Date(q.until) }),
    ...(q.user !== undefined && { actor: q.user }),
    ...(q.action !== undefined && { action: q.action }),
    ...(q.cursor !== undefined && { beforeSeq: Number(q.cursor) }),
    limit: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  return {
    entries: page.map((r) => ({
      at: r.at.toISOString(),
      user: r.actor,
      role: r.role ?? null,
      action: r.action,
      target: r.target ?? null,
      detail: r.detail ?? null,
      outcome: r.outcome,
      client: r.client,
    })),
    next: rows.length > q.limit ? String(page.at(-1)!.seq) : null,
  };
}

export function registerOverview(app: FastifyInstance, deps: HttpDeps): void {
  const routes = { config: { access: 'viewer' as const } };
  app.get('/api/v1/routes', routes, async () => deps.routes());
  // the old path, kept for scripts; signed in like every path but the health ones
  app.get('/routes', routes, async () => deps.routes());

  app.get<{ Querystring: { window: StatsWindow } }>(
    '/api/v1/stats',
    { config: { access: 'viewer' }, schema: schema({ querystring: STATS_QUERY }, STATS_ANSWER) },
    async (req) => stats(deps, req.query.window),
  );

  app.get<{ Querystring: AuditQueryString }>(
    '/api/v1/audit',
    { config: { access: 'admin' }, schema: schema({ querystring: AUDIT_QUERY }, AUDIT_ANSWER) },
    async (req) => auditPage(deps, req.query),
  );

  app.get(
    '/api/v1/users',
    { config: { access: 'admin' }, schema: schema({}, USERS_ANSWER) },
    async () => {
      const now = deps.now();
      return {
        users: deps.users.current().users.map((u) => ({
          name: u.name,
          role: u.role,
          tokens: u.tokens.filter((t) => t.expires > now).length,
        })),
      };
    },
  );
}
