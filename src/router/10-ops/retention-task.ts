/**
 * Retention in the background (store/retention.ts): every `retention.intervalSeconds`, each rule
 * of the policy in turn (bodies, then records, then closed care plans), `batchSize` rows per
 * transaction, yielding to the event loop between batches so that the pipeline's writes
 * interleave with them. Also what `itk-router retention` runs once.
 */
import type { RetentionConfig } from '../01-config/index.js';
import {
  cutoff,
  retentionRules,
  type RetentionRule,
  type RetentionStore,
} from '../08-store/retention.js';
import type { Logger } from '../00-common/logger.js';
import { startPeriodicTask, yieldToEventLoop, type PeriodicTask } from './periodic-task.js';

export interface RetentionCount {
  readonly rule: RetentionRule;
  /** Rows before which the rule prunes. */
  readonly before: Date;
  readonly count: number;
}

/** What each rule would prune at `now` (`retention --dry-run`). */
export async function previewRetention(
  store: RetentionStore,
  policy: RetentionConfig,
  now: Date,
): Promise<RetentionCount[]> {
  const out: RetentionCount[] = [];
  for (const rule of retentionRules(policy))
    out.push({ rule, before: cutoff(rule, now), count: await store.count(rule, now) });
  return out;
}

/** Prunes everything due at `now`, rule by rule, batch by batch; returns how many per rule. */
export async function pruneOnce(
  store: RetentionStore,
  policy: RetentionConfig,
  o: { readonly now: Date; readonly signal?: AbortSignal },
): Promise<RetentionCount[]> {
  const out: RetentionCount[] = [];
  for (const rule of retentionRules(policy)) {
    let count = 0;
    for (;;) {
      if (o.signal?.aborted) break;
      const n = await store.prune(rule, o.now, policy.batchSize);
      count += n;
      if (n < policy.batchSize) break;
      await yieldToEventLoop();
    }
    out.push({ rule, before: cutoff(rule, o.now), count });
    if (o.signal?.aborted) break;
    await yieldToEventLoop();
  }
  return out;
}

/** A compact summary for a log line: `{ "bodies.delivered": 120, "records.nacked": 3 }`. */
export const summarize = (counts: readonly RetentionCount[]): Record<string, number> =>
  Object.fromEntries(
    counts
      .filter((c) => c.count > 0)
      .map((c) => [
        c.rule.target.kind === 'closed-care-plans'
          ? 'closedCarePlans'
          : `${c.rule.target.kind}.${c.rule.target.state}`,
        c.count,
      ]),
  );

/** Starts pruning in the background; undefined when the policy keeps everything. */
export function startRetention(o: {
  readonly store: RetentionStore;
  readonly policy: RetentionConfig;
  readonly log: Logger;
  readonly now?: () => Date;
}): PeriodicTask | undefined {
  if (retentionRules(o.policy).length === 0) return undefined;
  const now = o.now ?? (() => new Date());
  return startPeriodicTask({
    name: 'retention',
    intervalMs: o.policy.intervalSeconds * 1000,
    // soon after start, so a router restarted often still prunes
    firstDelayMs: Math.min(o.policy.intervalSeconds * 1000, 60_000),
    log: o.log,
    run: async (signal) => {
      const counts = await pruneOnce(o.store, o.policy, { now: now(), signal });
      const pruned = summarize(counts);
      if (Object.keys(pruned).length > 0) o.log.info('retention pruned the store', { pruned });
    },
  });
}
