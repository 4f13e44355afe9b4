/**
 * The audit log's own retention (`console.auditRetention`): rows older than the age are pruned
 * once an hour, in batches, oldest first. Absent: the audit log is kept forever.
 */
import type { Logger } from '../../00-common/logger.js';
import type { AuditLog } from '../../08-store/audit-log.js';
import { startPeriodicTask, yieldToEventLoop, type PeriodicTask } from '../periodic-task.js';

const BATCH = 500;

export function startAuditRetention(o: {
  readonly audit: AuditLog;
  readonly ageSeconds: number | undefined;
  readonly log: Logger;
}): PeriodicTask | undefined {
  const { ageSeconds } = o;
  if (ageSeconds === undefined) return undefined;
  return startPeriodicTask({
    name: 'audit log retention',
    intervalMs: 3_600_000,
    firstDelayMs: 60_000,
    log: o.log,
    run: async (signal) => {
      const before = new Date(Date.now() - ageSeconds * 1000);
      let total = 0;
      for (;;) {
        const n = await o.audit.prune(before, BATCH);
        total += n;
        if (n < BATCH || signal.aborted) break;
        await yieldToEventLoop();
      }
      if (total > 0)
        o.log.info('audit log rows pruned', { rows: total, before: before.toISOString() });
    },
  });
}
