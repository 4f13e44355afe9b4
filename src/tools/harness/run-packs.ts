/**
 * Runs packs against a live router: for each pack run, the roles bound, a broker session as the
 * end points the harness plays, the pack's setup, then every case in order. Gives back the whole
 * run as data for the reports.
 */
import { createValidator, type Validator } from '../../router/04-validation/create-validator.js';
import { bindRoles, type Bindings } from './bindings.js';
import { BrokerSession } from './broker-session.js';
import type { Pack, TestCase } from './model.js';
import type { Progress } from './progress.js';
import { totalsOf, type CaseResult, type HarnessRun, type PackRun } from './results.js';
import { runCase } from './run-case.js';
import { packContext, type PackContext, type RunOptions } from './run-context.js';
import type { Target } from './target.js';
import { brokerOf, packageFacts, runEnvironment, type RunEnvironment } from './environment.js';
import { WebSession } from './web-session.js';

/** Whether a pack speaks web services (a call or serve step, or a case that needs them). */
export function usesWebServices(pack: Pack): boolean {
  const steps = [...pack.setup, ...pack.cases.flatMap((c) => c.steps)];
  return (
    steps.some((s) => s.kind === 'call' || s.kind === 'serve') ||
    pack.cases.some((c) => c.needs?.gateway || c.needs?.webService?.length)
  );
}

/** One pack to run, with the roles of this run over the pack's (e.g. which end point is the supplier). */
export interface PackRunRequest {
  readonly pack: Pack;
  readonly roles?: Readonly<Record<string, string>>;
  readonly vars?: Readonly<Record<string, string>>;
  /** Run before the pack (e.g. start the simulator under test); gives back what to undo after. */
  readonly prepare?: (bindings: Bindings) => Promise<() => Promise<void>>;
}

export interface HarnessOptions extends RunOptions {
  readonly progress?: Progress;
  /** Lines for the report's header: how the run was set up. */
  readonly notes?: readonly string[];
  /** Aborted (Ctrl-C): the cases not started yet are reported as not run. */
  readonly signal?: AbortSignal;
  /** The router under test and its store, when known (the self-test), or as stated. */
  readonly router?: RunEnvironment['router'];
  readonly store?: string;
}

const casesOf = (pack: Pack, options: RunOptions): TestCase[] =>
  pack.cases.filter((c) => options.caseFilter?.(c.id) ?? true);

/** The requirements a pack's setup checks (its steps'), else the pack's first. */
function setupRequirements(pack: Pack): string[] {
  const ids = [...new Set(pack.setup.flatMap((s) => s.requirement ?? []))];
  return ids.length > 0 ? ids : [pack.requirements[0]!.id];
}

function labelOf(pack: Pack, bindings: Bindings): string {
  return bindings.underTest ? `${pack.name} (supplier: ${bindings.underTest.id})` : pack.name;
}

/** Messages already waiting on the queues the harness took over: consumed, in no case. */
async function waiting(session: BrokerSession, label: string): Promise<string[]> {
  await new Promise((resolve) => setTimeout(resolve, 200));
  const early = session.mail.since(1);
  if (early.length === 0) return [];
  const queues = [...new Set(early.map((m) => m.queue))].join(', ');
  return [
    `${label}: ${early.length} message(s) were already waiting on ${queues} before the first case (left by an earlier run, or by a system that uses these queues). The harness took them off the queues so that no case could take one for its own answer; they are evidence neither for nor against any case.`,
  ];
}

async function runOne(
  request: PackRunRequest,
  target: Target,
  validator: Validator,
  options: HarnessOptions,
  notes: string[],
  seen: { broker?: string },
): Promise<PackRun> {
  const { pack } = request;
  const started = Date.now();
  const bindings = bindRoles(pack, target, { ...options.roles, ...request.roles });
  const label = labelOf(pack, bindings);
  const undo = request.prepare ? await request.prepare(bindings) : async () => undefined;
  let session: BrokerSession;
  try {
    session = await BrokerSession.open(target, bindings.played);
  } catch (err) {
    await undo();
    throw err;
  }
  let web: WebSession | undefined;
  try {
    if (usesWebServices(pack))
      web = await WebSession.open(target, bindings.servedOverHttps, session.mail);
  } catch (err) {
    await session.close();
    await undo();
    throw err;
  }
  const results: CaseResult[] = [];
  let setup: CaseResult | undefined;
  seen.broker ??= brokerOf(session.serverProperties);
  notes.push(...(await waiting(session, label)));
  const vars = { ...options.vars, ...request.vars };
  let ctx: PackContext;
  try {
    ctx = packContext(pack, target, bindings, session, validator, { ...options, vars }, web);
  } catch (err) {
    await web?.close();
    await session.close();
    await undo();
    throw err;
  }
  try {
    if (pack.setup.length > 0) {
      options.progress?.note(`${label}: setup`);
      const setupCase: TestCase = {
        id: 'setup',
        title: `${pack.name}: setup`,
        requirements: setupRequirements(pack),
        steps: pack.setup,
        origin: { file: `${pack.dir}/pack.yaml` },
      };
      const outcome = await runCase(ctx, setupCase);
      setup = outcome.result;
      ctx = {
        ...ctx,
        values: { ...ctx.values, setup: { ...outcome.captured, sent: outcome.sent } },
      };
    }
    for (const c of casesOf(pack, options)) {
      options.progress?.caseStart(label, c);
      const result = options.signal?.aborted
        ? notRun(c, ctx, 'not run: the run was interrupted')
        : setup && setup.status !== 'passed'
          ? notRun(
              c,
              ctx,
              `not run: the pack's setup ${setup.status} (${setup.failure?.summary ?? setup.reason ?? ''})`,
            )
          : (await runCase(ctx, c)).result;
      results.push(result);
      options.progress?.caseEnd(label, result);
    }
  } finally {
    await web?.close();
    await session.close();
    await undo();
  }
  return {
    pack: {
      name: pack.name,
      title: pack.title,
      description: pack.description,
      target: pack.target,
      dir: pack.dir,
      requirements: pack.requirements,
    },
    label,
    roles: [...bindings.roles].map(([role, v]) => ({
      role,
      endpoint: v.id,
      name: v.name,
      address: v.address,
      brokerUser: v.user,
      acks: v.acks,
    })),
    ...(bindings.underTest ? { underTest: bindings.underTest.id } : {}),
    vars: ctx.vars,
    ...(setup ? { setup } : {}),
    cases: results,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
  };
}

function notRun(c: TestCase, ctx: PackContext, reason: string): CaseResult {
  return {
    id: c.id,
    title: c.title,
    requirements: c.requirements.map(
      (id) => ctx.pack.requirements.find((r) => r.id === id) ?? { id, title: id },
    ),
    status: 'error',
    reason,
    startedAt: new Date().toISOString(),
    durationMs: 0,
    steps: [],
    messages: [],
    origin: c.origin,
  };
}

export async function runPacks(
  requests: readonly PackRunRequest[],
  target: Target,
  options: HarnessOptions = {},
): Promise<HarnessRun> {
  const started = Date.now();
  const validator = createValidator({
    planTypes: new Set(target.routes.careplans?.planTypes ?? []),
    catalogues: target.config.validation.catalogues,
    unknownPayloads: target.config.validation.unknownPayloads,
    limits: target.config.limits,
    payloadContent: true,
  });
  const packs: PackRun[] = [];
  const notes = [...(options.notes ?? [])];
  const seen: { broker?: string } = {};
  try {
    options.progress?.begin(requests.reduce((n, r) => n + casesOf(r.pack, options).length, 0));
    for (const request of requests) {
      if (options.signal?.aborted && packs.length > 0) break;
      packs.push(await runOne(request, target, validator, options, notes, seen));
    }
  } finally {
    validator.dispose();
  }
  const run: HarnessRun = {
    tool: `itk-router harness ${packageFacts().version}`,
    environment: runEnvironment({
      ...(seen.broker ? { broker: seen.broker } : {}),
      ...(options.router ? { router: options.router } : {}),
      ...(options.store ? { store: options.store } : {}),
    }),
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    target: {
      broker: target.brokerDisplay,
      vhost: target.vhost,
      prefix: target.names.prefix,
      routes: target.routes.folder,
      routerAddress: target.config.router.address,
      routerIdentity: target.config.router.identity,
      quarantineRead: target.quarantine,
      endpoints: target.routes.endpoints.map((e) => ({
        id: e.id,
        name: e.name,
        addresses: e.addresses,
        acks: e.acks,
      })),
    },
    notes,
    packs,
    totals: totalsOf(packs),
  };
  options.progress?.end(run);
  return run;
}
