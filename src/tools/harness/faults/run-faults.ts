/**
 * The self-test's second half: the router restarted with one deliberate fault at a time
 * (router-faults.ts), on the same sandbox with a store of its own, and the cases named for that
 * fault (in its pack: router-conformance, or web-services for a faulty gateway) run against it
 * one at a time until one catches it: fails, having passed against the router without the fault.
 */
import path from 'node:path';
import { loadRouterConfig } from '../../../router/01-config/index.js';
import { startRouter, type RunningRouter } from '../../../router/main.js';
import { silentLogger } from '../../../router/00-common/logger.js';
import type { Pack } from '../model.js';
import type { Progress } from '../progress.js';
import type { CaseResult, FaultyRouterResult } from '../results.js';
import { runPacks } from '../run-packs.js';
import type { ActionHook } from '../run-context.js';
import type { Target } from '../target.js';
import type { RouterFault } from './router-faults.js';

export interface FaultRunOptions {
  readonly faults: readonly RouterFault[];
  /** The packs loaded for this self-test; a fault whose pack is not among them is not run. */
  readonly packs: readonly Pack[];
  readonly target: Target;
  readonly configPath?: string;
  /** The sandbox's environment (AMQP_URL, routes, …); the store is replaced per fault. */
  readonly env: NodeJS.ProcessEnv;
  readonly workDir: string;
  readonly actions?: Readonly<Record<string, ActionHook>>;
  readonly progress?: Progress;
  readonly signal?: AbortSignal;
  /**
   * The cases that passed against the router without a fault in this self-test: only their
   * failures count as catching a fault (a case that fails anyway proves nothing).
   */
  readonly passedUnfaulted: ReadonlySet<string>;
}

export async function runFaultyRouters(o: FaultRunOptions): Promise<FaultyRouterResult[]> {
  const results: FaultyRouterResult[] = [];
  for (const fault of o.faults) {
    if (o.signal?.aborted) break;
    const started = Date.now();
    const packName = fault.pack ?? 'router-conformance';
    const pack = o.packs.find((p) => p.name === packName);
    if (!pack) continue;
    o.progress?.note(`faulty router: ${fault.name} (${fault.cases.join(', ')})`);
    const env = {
      ...o.env,
      ITK_ROUTER_STORE: `sqlite:${path.join(o.workDir, `store-${fault.name}.sqlite`)}`,
    };
    let router: RunningRouter | undefined;
    try {
      router = await startRouter(loadRouterConfig(o.configPath, env), silentLogger(), {
        watchRoutes: false,
        selftestFault: fault,
      });
      // one case at a time, stopping at the first that catches the fault
      const cases: CaseResult[] = [];
      for (const id of fault.cases) {
        if (o.signal?.aborted) break;
        const run = await runPacks([{ pack }], o.target, {
          caseFilter: (c) => c === id,
          ...(o.actions ? { actions: o.actions } : {}),
          ...(o.signal ? { signal: o.signal } : {}),
        });
        cases.push(...run.packs.flatMap((p) => p.cases));
        if (cases.some((c) => c.status === 'failed' && o.passedUnfaulted.has(c.id))) break;
      }
      results.push({
        fault: fault.name,
        does: fault.does,
        breaks: fault.breaks,
        cases: cases.map((c) => c.id),
        caughtBy: cases
          .filter((c) => c.status === 'failed' && c.failure && o.passedUnfaulted.has(c.id))
          .map((c) => ({
            id: c.id,
            requirement: c.failure!.requirement.id,
            summary: c.failure!.summary,
          })),
        notRun: cases.flatMap((c) =>
          c.status === 'error' || c.status === 'skipped'
            ? [{ id: c.id, reason: c.reason ?? c.status }]
            : c.status === 'failed' && !o.passedUnfaulted.has(c.id)
              ? [{ id: c.id, reason: 'failed, but it fails without the fault too: does not count' }]
              : [],
        ),
        durationMs: Date.now() - started,
      });
    } finally {
      await router?.stop().catch(() => undefined);
    }
  }
  return results;
}
