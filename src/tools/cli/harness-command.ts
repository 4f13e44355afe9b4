/**
 * `itk-router harness`: accreditation test packs (src/tools/harness).
 * - `run <pack…>`: runs packs against a live router, pointed at it like the router itself
 *   (--config, AMQP_URL with the vhost, ITK_ROUTER_ROUTES for the end points' broker users).
 * - `list`: the bundled packs, their requirements and cases.
 * - `selftest`: its own vhost, users, router and simulators; every bundled pack; cleans up.
 * Reports (`--out`): junit.xml, report.html (self-contained evidence), results.json.
 * Exit 0 only when every case passed; 1 when any did not; 2 on a usage or pack error, or when
 * the run cannot start (broker refused, unknown role, missing password).
 */
import path from 'node:path';
import { Command } from 'commander';
import { ConfigError } from '../../router/01-config/index.js';
import { compileGlobs } from '../../router/00-common/glob.js';
import {
  allFaultsCaught,
  allPassed,
  bundledPacks,
  HarnessError,
  loadPack,
  PackError,
  progressFor,
  runPacks,
  runSelftest,
  openTarget,
  SIMULATOR_FAULTS,
  writeReports,
  type HarnessRun,
} from '../harness/index.js';
import { setExitCode } from './exit-status.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

function pairs(list: readonly string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const at = item.indexOf('=');
    if (at <= 0) throw new HarnessError(`${flag} ${item}: expected name=value`);
    out[item.slice(0, at)] = item.slice(at + 1);
  }
  return out;
}

/**
 * Runs `work`, stopping it between cases on Ctrl-C (so it still writes its reports and cleans
 * up; a second Ctrl-C ends the process); maps its outcome to the exit code.
 */
async function guarded(
  command: Command,
  work: (signal: AbortSignal) => Promise<boolean>,
): Promise<void> {
  const interrupt = new AbortController();
  const onSigint = () => {
    process.stderr.write(
      '\nitk-router harness: interrupted; finishing the case in hand and cleaning up\n',
    );
    interrupt.abort();
  };
  process.once('SIGINT', onSigint);
  let code: number;
  try {
    code = (await work(interrupt.signal)) ? 0 : 1;
  } catch (err) {
    if (!(err instanceof HarnessError || err instanceof PackError || err instanceof ConfigError))
      throw err;
    process.stderr.write(`itk-router harness: ${err.message}\n`);
    code = 2;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  setExitCode(command, code);
}

function summary(run: HarnessRun, reports: { html: string; junit: string }): string {
  const t = run.totals;
  const lines = [
    `${allPassed(run) && allFaultsCaught(run) ? 'PASSED' : 'FAILED'}: ${t.passed} passed, ${t.failed} failed, ${t.error} errors, ${t.skipped} skipped of ${t.total} cases in ${(run.durationMs / 1000).toFixed(1)} s, against ${run.environment.contract}`,
  ];
  const skippedSteps = run.packs.flatMap((p) =>
    p.cases.flatMap((c) => c.steps.filter((x) => x.status === 'skipped')),
  );
  if (skippedSteps.length > 0)
    lines.push(
      `  ${skippedSteps.length} step(s) not checked: ${[...new Set(skippedSteps.map((x) => x.detail))].join('; ')}`,
    );
  for (const p of run.packs)
    for (const c of p.cases.filter((x) => x.failure))
      lines.push(`  ${p.label} ${c.id}: ${c.failure!.requirement.id} broke: ${c.failure!.summary}`);
  lines.push(...faultLines(run));
  lines.push(`evidence: ${reports.html}`, `junit:    ${reports.junit}`);
  return `${lines.join('\n')}\n`;
}

/** The self-test's faulty routers: each, and the cases that caught it. */
function faultLines(run: HarnessRun): string[] {
  const faults = run.faultyRouters ?? [];
  if (faults.length === 0) return [];
  const caught = faults.filter((f) => f.caughtBy.length > 0).length;
  return [
    `faulty routers: ${caught} of ${faults.length} caught`,
    ...faults.map(
      (f) =>
        `  ${f.caughtBy.length ? 'caught' : 'NOT CAUGHT'} ${f.fault}: ${f.caughtBy.map((c) => `${c.id} (${c.requirement})`).join(', ') || `none of ${f.cases.join(', ')} failed`}`,
    ),
  ];
}

interface RunOptions {
  config?: string;
  out: string;
  role?: string[];
  var?: string[];
  credentials?: string;
  quarantine?: boolean;
  case?: string[];
  timeScale: string;
  routerVersion?: string;
  certs?: string;
  gateway?: string;
}

export function registerHarness(program: Command): void {
  const harness = program
    .command('harness')
    .description(
      'accreditation test packs: run them against a live router, or self-test the harness',
    );

  harness
    .command('run')
    .description('run test packs against a live router (exit 0 only when every case passes)')
    .argument('<packs...>', 'pack folders, or bundled pack names (see `harness list`)')
    .option(
      '-c, --config <file>',
      'router config: broker URL, name prefix, routes folder (env overrides apply)',
    )
    .option(
      '-o, --out <dir>',
      'where to write junit.xml, report.html and results.json',
      'reports/harness',
    )
    .option(
      '--role <role=endpoint>',
      'bind a pack role to an end point of the routes (repeatable)',
      collect,
    )
    .option('--var <name=value>', 'set a pack variable (repeatable)', collect)
    .option(
      '--credentials <file>',
      'passwords of the end points’ broker users (user<TAB>password lines)',
    )
    .option(
      '--quarantine',
      'read (consume!) the router’s quarantine queue: only on a router of your own',
    )
    .option('--case <glob>', 'run only the cases whose id matches (repeatable; * globs)', collect)
    .option('--time-scale <n>', 'multiply every wait, for a slow router', '1')
    .option(
      '--certs <dir>',
      'web services: ca.crt (ca.key for the unlisted certificate) and <end point id>.crt/.key, as itk-router certs makes',
    )
    .option(
      '--gateway <url>',
      "web services: the router's gateway URL (default from webServices in the router config)",
    )
    .option(
      '--router-version <text>',
      'the version (and commit, build) of the router under test, for the evidence report',
    )
    .action(async (names: string[], options: RunOptions, command: Command) =>
      guarded(command, async (signal) => {
        const packs = names.map((name) => loadPack(name));
        const scale = Number(options.timeScale);
        if (!(scale > 0))
          throw new HarnessError(`--time-scale ${options.timeScale}: expected a number > 0`);
        const target = openTarget({
          ...(options.config ? { configPath: options.config } : {}),
          env: process.env,
          ...(options.credentials ? { credentialsFile: options.credentials } : {}),
          quarantine: options.quarantine === true,
          ...(options.certs ? { certsDir: path.resolve(options.certs) } : {}),
          ...(options.gateway ? { gateway: options.gateway } : {}),
        });
        const filter = options.case ? compileGlobs(options.case) : undefined;
        const run = await runPacks(
          packs.map((pack) => ({ pack })),
          target,
          {
            roles: pairs(options.role, '--role'),
            vars: pairs(options.var, '--var'),
            timeScale: scale,
            ...(filter ? { caseFilter: (id: string) => filter.test(id) } : {}),
            ...(options.routerVersion ? { router: { stated: options.routerVersion } } : {}),
            progress: progressFor(process.stderr),
            signal,
          },
        );
        const reports = writeReports(run, path.resolve(options.out));
        process.stdout.write(summary(run, reports));
        return allPassed(run);
      }),
    );

  harness
    .command('list')
    .description('list the bundled packs with their requirements and cases')
    .action((_options: unknown, command: Command) =>
      guarded(command, async () => {
        for (const name of bundledPacks()) {
          const pack = loadPack(name);
          process.stdout.write(
            `${pack.name} (${pack.target}): ${pack.title}\n  roles: ${Object.entries(pack.roles)
              .map(([r, e]) => `${r}=${e}`)
              .join(', ')}\n`,
          );
          for (const c of pack.cases)
            process.stdout.write(`  ${c.id} [${c.requirements.join(', ')}] ${c.title}\n`);
        }
        return true;
      }),
    );

  harness
    .command('selftest')
    .description(
      'check the harness end to end: own vhost, users, router and simulators; every bundled pack',
    )
    .option('-c, --config <file>', 'router config (broker URL, name prefix)')
    .option('-o, --out <dir>', 'where to write the reports', 'reports/harness')
    .option(
      '--faulty-simulator <fault>',
      `a deliberate fault in every simulated supplier: ${SIMULATOR_FAULTS.join(', ')}`,
    )
    .option('--pack <name>', 'run only this bundled pack (repeatable)', collect)
    .option(
      '--faulty-routers <faults>',
      'deliberately faulty routers the conformance pack must catch: all, none, or a comma-separated list',
      'all',
    )
    .option(
      '--management-url <url>',
      'the broker’s management API (default http://<AMQP host>:15672, else rabbitmqctl)',
    )
    .action(
      async (
        options: {
          config?: string;
          out: string;
          faultySimulator?: string;
          pack?: string[];
          faultyRouters: string;
          managementUrl?: string;
        },
        command: Command,
      ) =>
        guarded(command, async (signal) => {
          const result = await runSelftest({
            signal,
            env: process.env,
            outDir: options.out,
            ...(options.config ? { configPath: options.config } : {}),
            ...(options.faultySimulator ? { faultySimulator: options.faultySimulator } : {}),
            ...(options.pack ? { packs: options.pack } : {}),
            faultyRouters: options.faultyRouters,
            ...(options.managementUrl ? { managementUrl: options.managementUrl } : {}),
            progress: progressFor(process.stderr),
          });
          process.stdout.write(summary(result.run, result.reports));
          process.stdout.write(
            `self-test: ${(result.durationMs / 1000).toFixed(1)} s; vhost ${result.vhost} and its users deleted\n`,
          );
          return result.ok;
        }),
    );
}
