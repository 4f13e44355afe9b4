/**
 * `itk-router harness selftest`: the harness checks itself end to end. A vhost and broker users
 * of its own, the router in this process (stock routes, a temporary SQLite store), the bundled
 * packs run against it: router-conformance with the harness playing every end point, then
 * supplier-careplans once per end point that acknowledges for itself, each time with an
 * in-process simulator as the system under test (optionally a deliberately faulty one). Writes
 * the reports, cleans everything up, and passes only when every case passed.
 */
import path from 'node:path';
import { loadRouterConfig } from '../../router/01-config/index.js';
import { startRouter, type RunningRouter } from '../../router/main.js';
import { silentLogger } from '../../router/00-common/logger.js';
import { packagePath } from '../../router/00-common/package-root.js';
import { HarnessError } from './harness-error.js';
import { bundledPacks, loadPack } from './load-pack.js';
import type { Pack } from './model.js';
import type { Progress } from './progress.js';
import { packageFacts } from './environment.js';
import { routerFaults } from './faults/router-faults.js';
import { runFaultyRouters } from './faults/run-faults.js';
import { allFaultsCaught, allPassed, type HarnessRun } from './results.js';
import { runPacks, type PackRunRequest } from './run-packs.js';
import { createHarnessSandbox, type HarnessSandbox } from './selftest-sandbox.js';
import { faultRules, supplierLab } from './selftest-suppliers.js';
import { openTarget, type Target } from './target.js';
import { writeReports, type WrittenReports } from './write-reports.js';
import { sqliteLibraryVersion } from '../../router/08-store/sqlite/sqlite-version.js';

export interface SelftestOptions {
  /** A router config (broker URL, name prefix); defaults and the environment otherwise. */
  readonly configPath?: string;
  readonly env: NodeJS.ProcessEnv;
  /** Where the reports go (default `reports/harness`). */
  readonly outDir?: string;
  /** A fault for every simulated supplier (`ack-acks`, `stale-version`, …). */
  readonly faultySimulator?: string;
  /**
   * The deliberately faulty routers run after the packs (src/tools/harness/faults): `all` (default),
   * `none`, or a comma-separated list of fault names. Each needs its pack (router-conformance,
   * or web-services for a faulty gateway) among those run.
   */
  readonly faultyRouters?: string;
  /** Bundled packs to run; default every one. */
  readonly packs?: readonly string[];
  readonly progress?: Progress;
  /** Aborted (Ctrl-C): stops between cases, still writes the reports and cleans up. */
  readonly signal?: AbortSignal;
  /** The broker's management API; default http://<AMQP host>:15672 (else rabbitmqctl). */
  readonly managementUrl?: string;
}

export interface SelftestResult {
  readonly ok: boolean;
  readonly run: HarnessRun;
  readonly reports: WrittenReports;
  readonly vhost: string;
  readonly durationMs: number;
}

/**
 * The supplier pack's runs: one per AMQP end point that acknowledges for itself, with a peer
 * that does too (the web-service end point the self-test adds is the harness's, not a supplier).
 */
function supplierRuns(pack: Pack, target: Target): { supplier: string; peer: string }[] {
  const own = target.routes.endpoints.filter(
    (e) => e.acks === 'endpoint' && e.identities.length > 0 && !e.delivery,
  );
  return own.flatMap((s) => {
    const fallback = pack.roles.peer;
    const peer =
      fallback !== s.id && own.some((e) => e.id === fallback)
        ? fallback
        : own.find((e) => e.id !== s.id)?.id;
    return peer ? [{ supplier: s.id, peer }] : [];
  });
}

/** The SQLite library the self-test's router stores its messages with. */
const sqliteVersion = async (): Promise<string> =>
  `SQLite ${await sqliteLibraryVersion()} (temporary file)`;

export async function runSelftest(options: SelftestOptions): Promise<SelftestResult> {
  const started = Date.now();
  const outDir = path.resolve(options.outDir ?? 'reports/harness');
  const faults = faultRules(options.faultySimulator);
  const faultyRouters = routerFaults(options.faultyRouters);
  const packs = (options.packs ?? bundledPacks()).map((name) => loadPack(name));
  if (packs.length === 0) throw new HarnessError('no packs to run');
  const base = loadRouterConfig(options.configPath, options.env);
  const sandbox: HarnessSandbox = await createHarnessSandbox({
    amqpUrl: base.amqp.url,
    prefix: base.amqp.prefix,
    stockRoutes: packagePath('routes'),
    ...(options.managementUrl ? { managementUrl: options.managementUrl } : {}),
  });
  let router: RunningRouter | undefined;
  try {
    const ws = sandbox.webServices;
    const certFile = (name: string) => path.join(ws.certsDir, name);
    // the harness's view: the AMQP URL's own user ($ops, reads the quarantine)
    const env = {
      ...options.env,
      AMQP_URL: sandbox.url,
      ITK_ROUTER_ROUTES: sandbox.routesDir,
      ITK_ROUTER_STORE: `sqlite:${sandbox.storePath}`,
      ITK_ROUTER_HTTP_PORT: '0',
      ITK_ROUTER_SOAP_PORT: String(ws.gatewayPort),
      ITK_ROUTER_TLS_CERT: certFile('router.crt'),
      ITK_ROUTER_TLS_KEY: certFile('router.key'),
      ITK_ROUTER_TLS_CA: certFile('ca.crt'),
    };
    // the router: its own broker user, as web services require
    const routerEnv = { ...env, AMQP_URL: sandbox.routerUrl };
    router = await startRouter(loadRouterConfig(options.configPath, routerEnv), silentLogger(), {
      watchRoutes: false,
    });
    const target = openTarget({
      configPath: options.configPath,
      env,
      passwords: sandbox.passwords,
      quarantine: true,
      certsDir: ws.certsDir,
    });
    const lab = supplierLab(target, sandbox.dir, outDir, faults);
    const requests: PackRunRequest[] = packs.flatMap((pack): PackRunRequest[] =>
      pack.target === 'router'
        ? [{ pack }]
        : supplierRuns(pack, target).map(({ supplier, peer }) => ({
            pack,
            roles: { supplier, peer },
            vars: { shareWithin: '15s' },
            prepare: lab.prepare,
          })),
    );
    const skipped = target.routes.endpoints.filter((e) => e.acks === 'router').map((e) => e.id);
    const notes = [
      `Self-test: vhost ${sandbox.vhost} and a broker user per end point (least privilege, as itk-router provision plans), made through ${sandbox.via}, deleted at the end.`,
      'The router ran in the harness’s process on the stock routes with a temporary SQLite store, as a broker user of its own; the harness read its quarantine queue.',
      `Web services: the router’s gateway on port ${ws.gatewayPort} with certificates made by itk-router certs; the stock routes gained ${ws.endpoint}, called by the router at ${ws.endpointUrl}, where the harness played it.`,
      `Supplier packs ran against in-process simulators (src/tools/simulator)${options.faultySimulator ? ` with the deliberate fault "${options.faultySimulator}"` : ', without faults'}; each simulator’s log is beside this report.`,
      ...(skipped.length
        ? [
            `Not run as suppliers: ${skipped.join(', ')} (acks: router, a system that cannot acknowledge; the router acknowledges for it).`,
          ]
        : []),
    ];
    const packsRun = await runPacks(requests, target, {
      router: packageFacts(), // the router under test is this package, in this process
      store: await sqliteVersion(),
      ...(options.progress ? { progress: options.progress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      actions: lab.actions,
      notes,
    });
    const runnable = faultyRouters.filter((f) =>
      packs.some((p) => p.name === (f.pack ?? 'router-conformance')),
    );
    let run: HarnessRun = packsRun;
    if (runnable.length > 0) {
      await router.stop();
      router = undefined;
      run = {
        ...packsRun,
        faultyRouters: await runFaultyRouters({
          faults: runnable,
          packs,
          target,
          ...(options.configPath ? { configPath: options.configPath } : {}),
          env: routerEnv,
          workDir: sandbox.dir,
          passedUnfaulted: new Set(
            packsRun.packs
              .filter((p) => p.pack.target === 'router')
              .flatMap((p) => p.cases.filter((c) => c.status === 'passed').map((c) => c.id)),
          ),
          actions: lab.actions,
          ...(options.progress ? { progress: options.progress } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        }),
      };
      run = { ...run, durationMs: Date.now() - started };
    }
    const reports = writeReports(run, outDir);
    return {
      ok: allPassed(run) && allFaultsCaught(run),
      run,
      reports,
      vhost: sandbox.vhost,
      durationMs: Date.now() - started,
    };
  } finally {
    await router?.stop().catch(() => undefined);
    await sandbox.dispose();
  }
}
