/**
 * `itk-router retention`: what the retention policy (config `retention`) prunes now, rule by rule;
 * `--dry-run` only counts. The running router prunes by itself every `retention.intervalSeconds`;
 * this is for a look beforehand, or a prune from cron while the router is down.
 */
import type { Command } from 'commander';
import { loadRouterConfig } from '../../router/01-config/index.js';
import { formatDuration } from '../../router/01-config/retention-config.js';
import {
  previewRetention,
  pruneOnce,
  type RetentionCount,
} from '../../router/10-ops/retention-task.js';
import { describeTarget, retentionRules } from '../../router/08-store/retention.js';
import { openStore } from '../../router/08-store/open-store.js';

export function formatRetention(counts: readonly RetentionCount[], dryRun: boolean): string {
  if (counts.length === 0)
    return 'no retention policy (retention.bodies, retention.records, retention.closedCarePlans): the store keeps everything\n';
  const verb = dryRun ? 'would go' : 'pruned';
  const lines = counts.map(
    (c) =>
      `${describeTarget(c.rule.target)} older than ${formatDuration(c.rule.ageSeconds)} ` +
      `(before ${c.before.toISOString()}): ${c.count} ${verb}`,
  );
  const total = counts.reduce((n, c) => n + c.count, 0);
  lines.push(dryRun ? `${total} in all would go (dry run: nothing pruned)` : `${total} pruned`);
  return lines.join('\n') + '\n';
}

export function registerRetention(program: Command): void {
  program
    .command('retention')
    .description('prune the store by the retention policy now; --dry-run shows what would go')
    .option('-c, --config <file>', 'router config (store and retention policy)')
    .option('--dry-run', 'count what would be pruned, prune nothing')
    .option('--json', 'print the counts as JSON')
    .action(async (options: { config?: string; dryRun?: boolean; json?: boolean }) => {
      const config = loadRouterConfig(options.config, process.env);
      const store = await openStore(config.store, {}, { existing: true });
      try {
        const now = new Date();
        const policy = config.retention;
        const counts =
          retentionRules(policy).length === 0
            ? []
            : options.dryRun
              ? await previewRetention(store.retention, policy, now)
              : await pruneOnce(store.retention, policy, { now });
        process.stdout.write(
          options.json
            ? JSON.stringify(
                counts.map((c) => ({ ...c.rule, before: c.before, count: c.count })),
                null,
                2,
              ) + '\n'
            : formatRetention(counts, options.dryRun === true),
        );
      } finally {
        await store.close();
      }
    });
}
