/**
 * `expect` and `expectNack`: the first unclaimed message at a queue that meets every condition
 * within the time allowed is claimed and its values captured. When none does, the failure names
 * the closest candidate (most conditions met) and each condition it broke, or says nothing came.
 */
import {
  busAckChecks,
  infAckChecks,
  nackErrorChecks,
  routerInfAckChecks,
  type AckedMessage,
} from './ack-checks.js';
import type { CaseState, MessageRef, StepOutcome } from './case-state.js';
import { summarize } from './describe-message.js';
import { evaluate, matchChecks, xpathEquals, type Check, type CheckResult } from './checks.js';
import type { Arrived } from './mailroom.js';
import {
  QUARANTINE,
  type Duration,
  type ExpectNackStep,
  type ExpectStep,
  type Match,
} from './model.js';
import { durationMs } from './parse-steps.js';
import { formatDuration } from '../simulator/duration.js';
import { expand } from './template.js';
import { withParsed, xpathString } from './xpath.js';

const shownDuration = (d: Duration, state: CaseState) =>
  formatDuration(state.ctx.scaled(durationMs(d, state.scope)));

function ackedBy(
  state: CaseState,
  forId: string | undefined,
  ref: string | undefined,
): AckedMessage | undefined {
  if (ref !== undefined) return { trackingId: expand(ref, state.scope) };
  const sent = forId !== undefined ? state.sentById(forId) : state.lastSent;
  if (!sent?.trackingId) return undefined;
  return { trackingId: sent.trackingId, ...(sent.service ? { service: sent.service } : {}) };
}

/** The checks of a match, ack checks included. */
export function checksOf(state: CaseState, m: Match): Check[] {
  const { ctx, scope } = state;
  const ns = ctx.namespaces;
  const checks = matchChecks(m, { scope, namespaces: ns, endpointOf: ctx.endpointOf });
  if (m.infAck) {
    const reporting = m.infAck.reportingIdentity
      ? expand(m.infAck.reportingIdentity, scope)
      : undefined;
    checks.push(
      ...infAckChecks(
        { ...m.infAck, ...(reporting ? { reportingIdentity: reporting } : {}) },
        ackedBy(state, m.infAck.for, m.infAck.trackingIdRef),
        ns,
      ),
    );
    if (m.from === 'router') checks.push(...routerInfAckChecks(m.infAck.result, ns));
  }
  if (m.busAck)
    checks.push(
      ...busAckChecks(m.busAck, ackedBy(state, m.busAck.for, m.busAck.trackingIdRef), ns),
    );
  return checks;
}

function capture(
  state: CaseState,
  message: Arrived,
  spec: Readonly<Record<string, string>>,
): string[] {
  const notes: string[] = [];
  withParsed(message.body, (parsed) => {
    for (const [name, source] of Object.entries(spec)) {
      let value = '';
      if (source === '$body') value = message.body.toString('utf8');
      else if (source.startsWith('$header.')) value = message.headers[source.slice(8)] ?? '';
      else if (source.startsWith('$property.'))
        value = String(message.properties[source.slice(10)] ?? '');
      else if (parsed.ok)
        value = xpathString(parsed.doc, expand(source, state.scope), state.ctx.namespaces);
      state.captured[name] = value;
      notes.push(
        `${name} = ${source === '$body' ? `(${value.length} characters)` : JSON.stringify(value)}`,
      );
    }
  });
  return notes;
}

interface Wanted {
  readonly where: string;
  readonly role: string;
  readonly within: Duration;
  readonly checks: readonly Check[];
  readonly capture: Readonly<Record<string, string>>;
  readonly title: string;
}

async function find(state: CaseState, w: Wanted, index: number): Promise<StepOutcome> {
  const { ctx } = state;
  if (w.where === QUARANTINE && !ctx.target.quarantine)
    return {
      status: 'skipped',
      title: w.title,
      detail: 'the quarantine is not read in this run (see --quarantine)',
    };
  const results = new Map<number, CheckResult[]>();
  const withinMs = ctx.scaled(durationMs(w.within, state.scope));
  const deadline = Date.now() + withinMs;
  const found = await ctx.session.mail.waitFor(
    state.startSeq,
    [w.where],
    (m) => {
      const r = evaluate(w.checks, m);
      results.set(m.seq, r);
      return r.every((c) => c.ok);
    },
    deadline,
  );
  if (found) {
    const ref = state.claim(found, index);
    const notes = capture(state, found, w.capture);
    return {
      status: 'passed',
      title: w.title,
      detail: `matched after ${found.at - state.t0} ms${notes.length ? `; captured ${notes.join(', ')}` : ''}`,
      checks: results.get(found.seq)!,
      messages: [ref],
    };
  }
  let closest: { seq: number; r: CheckResult[] } | undefined;
  for (const [seq, r] of results) {
    const met = r.filter((c) => c.ok).length;
    if (!closest || met > closest.r.filter((c) => c.ok).length) closest = { seq, r };
  }
  const span = formatDuration(withinMs);
  if (!closest) {
    return {
      status: 'failed',
      title: w.title,
      checks: w.checks.map((c) => ({ what: c.what, ok: false, actual: '(no message)' })),
      failure: { summary: `nothing arrived at ${w.role} (${w.where}) within ${span}` },
    };
  }
  const broken = closest.r.filter((c) => !c.ok);
  const offending: MessageRef = { mail: closest.seq };
  const message = ctx.session.mail.since(closest.seq).find((m) => m.seq === closest.seq)!;
  const described = summarize(message.body, ctx.validator).summary;
  return {
    status: 'failed',
    title: w.title,
    checks: closest.r,
    messages: [offending],
    failure: {
      summary: `no message at ${w.role} (${w.where}) within ${span} met every condition; of the ${results.size} that arrived, the closest (${described}) broke ${broken.length} of ${closest.r.length}: ${broken.map((c) => `${c.what} (found ${c.actual ?? 'no'})`).join('; ')}`,
      offending,
    },
  };
}

export function runExpect(state: CaseState, step: ExpectStep, index: number): Promise<StepOutcome> {
  const where = state.whereOf(step.at);
  return find(
    state,
    {
      where,
      role: step.at,
      within: step.within,
      checks: checksOf(state, step.match),
      capture: step.capture,
      title: `expect at ${step.at}${where !== step.at ? ` (${where})` : ''} within ${shownDuration(step.within, state)}`,
    },
    index,
  );
}

export function runExpectNack(
  state: CaseState,
  step: ExpectNackStep,
  index: number,
): Promise<StepOutcome> {
  const sent = step.for !== undefined ? state.sentById(step.for) : state.lastSent;
  const role = step.at ?? sent?.role ?? '';
  const where = state.whereOf(role);
  const ns = state.ctx.namespaces;
  const acked = ackedBy(state, step.for, step.trackingIdRef);
  const diagnostic =
    step.diagnostic !== undefined ? new RegExp(expand(step.diagnostic, state.scope)) : undefined;
  const reporter =
    step.reportedBy !== undefined ? state.ctx.bindings.roles.get(step.reportedBy) : undefined;
  const checks = [
    ...checksOf(state, {
      ...step.match,
      ...(state.ctx.pack.target === 'router' && !step.match.from && !reporter
        ? { from: 'router' }
        : {}),
    }),
    ...(reporter
      ? [
          xpathEquals(
            `reported by ${step.reportedBy} (DE senderAddress)`,
            '/itk:DistributionEnvelope/itk:header/itk:senderAddress/@uri',
            reporter.address,
            ns,
          ),
        ]
      : []),
    ...infAckChecks(
      { result: 'Failure', ...(reporter ? { reportingIdentity: reporter.identity } : {}) },
      acked,
      ns,
      step.unreadable === true,
    ),
    ...routerInfAckChecks('Failure', ns),
    ...nackErrorChecks(expand(step.code, state.scope), diagnostic, ns),
  ];
  return find(
    state,
    {
      where,
      role,
      within: step.within,
      checks,
      capture: step.capture,
      title: `expect a nack ${expand(step.code, state.scope)} of ${acked?.trackingId ?? '(unknown tracking id)'} at ${role} (${where}) within ${shownDuration(step.within, state)}`,
    },
    index,
  );
}
