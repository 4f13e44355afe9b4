/**
 * One case: its needs checked against the routes, its steps run in order until one fails, and
 * the result with the transcript of every message exchanged and, on a failure, exactly which
 * requirement broke at which step, with the offending message.
 */
import { CaseState, type StepOutcome } from './case-state.js';
import { TemplateError, TemplateScope, expand } from './template.js';
import type { Needs, Requirement, Step, TestCase } from './model.js';
import type { CaseResult, Failure, StepRecord } from './results.js';
import type { PackContext } from './run-context.js';
import { runSend } from './step-send.js';
import { runExpect, runExpectNack } from './step-expect.js';
import { runAction, runExpectNothing, runPause } from './step-quiet.js';
import { runCall, runServe } from './step-call.js';

/** Why the routes or the run cannot give a case what it needs, or undefined. */
export function unmetNeeds(ctx: PackContext, needs: Needs | undefined): string | undefined {
  if (!needs) return undefined;
  const { table } = ctx.target;
  for (const [role, acks] of Object.entries(needs.acks ?? {})) {
    const view = ctx.bindings.roles.get(role);
    if (view?.acks !== acks)
      return `needs ${role} (${view?.id}) to have acks: ${acks}, it has ${view?.acks}`;
  }
  for (const name of needs.routes ?? []) {
    const route = expand(name, new TemplateScope({ ...ctx.values }));
    if (!ctx.target.routes.routes.some((r) => r.name === route))
      return `needs the route ${route}, which the routes do not define`;
  }
  for (const [role, planType] of Object.entries(needs.subscriptions ?? {})) {
    const id = ctx.endpointOf(role);
    if (!(table.subscribers.get(planType) ?? []).includes(id))
      return `needs ${role} (${id}) to subscribe to ${planType} plans`;
  }
  if (needs.locator && !table.locatorAddress)
    return 'needs the care-plan locator (careplans.locatorAddress)';
  if (needs.quarantine && !ctx.target.quarantine)
    return 'needs to read the quarantine (--quarantine)';
  if (needs.opsUnlisted && table.identities.has(ctx.target.opsUser))
    return `needs the AMQP URL's user ${ctx.target.opsUser} to be one no end point lists`;
  return webNeeds(ctx, needs);
}

/** Why the run cannot give a case the web services it needs, or undefined. */
function webNeeds(ctx: PackContext, needs: Needs): string | undefined {
  if ((needs.gateway || needs.certificates?.length) && !ctx.target.gateway)
    return "needs the router's web-service gateway (webServices in its config, or --gateway)";
  if ((needs.gateway || needs.certificates?.length) && !ctx.target.certsDir)
    return 'needs the web-service certificates (--certs <dir>, as itk-router certs makes)';
  for (const role of needs.webService ?? []) {
    const view = ctx.bindings.roles.get(role);
    if (!view?.url)
      return `needs ${role} (${view?.id}) to be called by web service (delivery.url in the routes)`;
    if (!ctx.web?.plays(view.id))
      return `needs the harness to play ${view.id} on web services (--certs <dir> with ${view.id}.crt)`;
  }
  for (const kind of needs.certificates ?? []) {
    const problem = ctx.web?.certificateProblem(kind);
    if (problem) return `needs a ${kind} client certificate: ${problem}`;
  }
  return undefined;
}

function runStep(state: CaseState, step: Step, index: number): Promise<StepOutcome> {
  switch (step.kind) {
    case 'send':
      return runSend(state, step, index);
    case 'expect':
      return runExpect(state, step, index);
    case 'expectNack':
      return runExpectNack(state, step, index);
    case 'expectNothing':
      return runExpectNothing(state, step, index);
    case 'action':
      return runAction(state, step);
    case 'pause':
      return runPause(state, step);
    case 'call':
      return runCall(state, step, index);
    case 'serve':
      return runServe(state, step);
  }
}

const requirementOf = (ctx: PackContext, id: string | undefined): Requirement =>
  ctx.pack.requirements.find((r) => r.id === id) ?? {
    id: id ?? '(none)',
    title: '(unknown requirement)',
  };

export interface CaseRunOutcome {
  readonly result: CaseResult;
  /** What the case captured (a setup's values are given to every case). */
  readonly captured: Readonly<Record<string, string>>;
  readonly sent: Readonly<Record<string, unknown>>;
}

export async function runCase(ctx: PackContext, c: TestCase): Promise<CaseRunOutcome> {
  const startedAt = new Date().toISOString();
  const requirements = c.requirements.map((id) => requirementOf(ctx, id));
  const base = { id: c.id, title: c.title, requirements, startedAt, origin: c.origin };
  const unmet = unmetNeeds(ctx, c.needs);
  if (unmet !== undefined) {
    const result: CaseResult = {
      ...base,
      status: 'skipped',
      reason: unmet,
      durationMs: 0,
      steps: [],
      messages: [],
    };
    return { result, captured: {}, sent: {} };
  }
  const state = new CaseState(ctx);
  ctx.web?.reset();
  const outcomes: { step: Step; startMs: number; durationMs: number; outcome: StepOutcome }[] = [];
  let error: string | undefined;
  for (const [i, step] of c.steps.entries()) {
    const index = i + 1;
    const startMs = Date.now() - state.t0;
    let outcome: StepOutcome;
    try {
      if (ctx.session.problems.length > 0) throw new Error(ctx.session.problems.join('; '));
      outcome = await runStep(state, step, index);
    } catch (err) {
      error = `step ${index} (${step.kind}) could not run: ${err instanceof TemplateError ? 'template: ' : ''}${(err as Error).message}`;
      outcome = { status: 'failed', title: step.kind, detail: error };
    }
    outcomes.push({ step, startMs, durationMs: Date.now() - state.t0 - startMs, outcome });
    if (outcome.status === 'failed') break;
  }
  const failed = outcomes.find((o) => o.outcome.status === 'failed');
  const transcript = state.transcript(failed?.outcome.failure?.offending);
  const numbers = (o: StepOutcome) =>
    (o.messages ?? []).flatMap((r) => transcript.numberOf(r) ?? []);
  const steps: StepRecord[] = c.steps.map((step, i) => {
    const ran = outcomes[i];
    return {
      index: i + 1,
      kind: step.kind,
      title: ran?.outcome.title ?? step.kind,
      ...(step.requirement ? { requirement: step.requirement } : {}),
      ...(step.note ? { note: step.note } : {}),
      status: ran?.outcome.status ?? 'not-run',
      startMs: ran?.startMs ?? 0,
      durationMs: ran?.durationMs ?? 0,
      ...(ran?.outcome.detail ? { detail: ran.outcome.detail } : {}),
      ...(ran?.outcome.checks ? { checks: ran.outcome.checks } : {}),
      messages: ran ? numbers(ran.outcome) : [],
      origin: step.origin,
    };
  });
  let failure: Failure | undefined;
  if (failed && !error) {
    const index = outcomes.indexOf(failed) + 1;
    const offending = failed.outcome.failure?.offending;
    const n = offending ? transcript.numberOf(offending) : undefined;
    failure = {
      requirement: requirementOf(ctx, failed.step.requirement ?? c.requirements[0]),
      step: index,
      stepTitle: failed.outcome.title,
      summary: failed.outcome.failure?.summary ?? failed.outcome.detail ?? 'failed',
      checks: failed.outcome.checks ?? [],
      ...(n !== undefined ? { offending: n } : {}),
    };
  }
  const result: CaseResult = {
    ...base,
    status: error ? 'error' : failed ? 'failed' : 'passed',
    ...(error ? { reason: error } : {}),
    durationMs: Date.now() - state.t0,
    steps,
    messages: transcript.messages,
    ...(failure ? { failure } : {}),
  };
  return {
    result,
    captured: { ...state.captured },
    sent: { ...(state.scope.values.sent as object) },
  };
}
