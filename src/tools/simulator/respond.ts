/**
 * The pure core of the simulator: one received message, the simulator's state and its fault
 * rules in; the Distribution Envelopes to send and the next state out. An accredited system's
 * rules (docs/contract.md, ITK facts: Acknowledgements in ITK): nack what fails validation; an inf ack when `infackrequested`; a
 * business ack AA when `ackrequested`; never acknowledge an inf ack or a broadcast; a business
 * ack gets only the inf ack it asks for. Then the care-plan application (careplan-behaviour.ts).
 */
import { errorsFromFindings } from '../../router/07-delivery/router-acks.js';
import type { AckError } from '../../router/07-delivery/infrastructure-ack.js';
import { SERVICE } from '../../router/03-envelope/itk-names.js';
import { carePlanBusiness } from './careplan-behaviour.js';
import { applyFaults, type ActiveFaults, type FaultRule } from './faults.js';
import { businessAck, infAck, infNack, type Outgoing } from './outgoing.js';
import { findRequested, type SimulatorState } from './plan-store.js';
import type { Received } from './received.js';
import { replyFrom, type SimulatorSelf } from './self.js';

export interface RespondContext {
  readonly self: SimulatorSelf;
  readonly now: Date;
}

export interface Response {
  /** What to publish, in order (an answer sent twice appears twice). */
  readonly outgoing: readonly Outgoing[];
  readonly state: SimulatorState;
  /** Wait this long before sending (fault `delay`). */
  readonly delayMs: number;
  /** The faults applied to this message, by name. */
  readonly faults: readonly string[];
  /** What the simulator did besides sending, in plain English. */
  readonly notes: readonly string[];
}

/** The nack's errors: the validation findings', else a 1000 naming the first error. */
function validationErrors(msg: Received): AckError[] {
  const errors = errorsFromFindings(msg.findings);
  if (errors.length > 0) return errors;
  const first = msg.findings.find((f) => f.severity === 'error');
  return [
    { code: '1000', diagnostic: first ? `${first.rule}: ${first.detail}` : 'invalid message' },
  ];
}

export function respond(
  msg: Received,
  state: SimulatorState,
  rules: readonly FaultRule[],
  ctx: RespondContext,
): Response {
  const { faults, state: counted } = applyFaults(rules, msg, state);
  const done = (
    outgoing: readonly Outgoing[],
    next: SimulatorState = counted,
    notes: readonly string[] = [],
  ): Response => ({
    outgoing: faults.duplicateAnswers ? outgoing.flatMap((o) => [o, o]) : outgoing,
    state: next,
    delayMs: faults.delayMs,
    faults: faults.names,
    notes,
  });
  if (faults.drop) return done([], counted, ['dropped it: sends nothing']);
  const env = msg.envelope;
  if (!env) return done([], counted, ['not a readable Distribution Envelope: cannot answer']);
  if (msg.kind === 'inf-ack' && !faults.ackAcks) return done([]);
  if (env.service === SERVICE.broadcast)
    return done([], counted, ['a broadcast: never acknowledged']);
  if (!env.senderAddress?.uri) return done([], counted, ['no senderAddress: cannot answer']);
  // the plan it is about: through the locator, its owner address is the one to answer from
  const held = msg.carePlan ? findRequested(counted, msg.carePlan) : undefined;
  const from = replyFrom(ctx.self, [...env.addresses.map((a) => a.uri), held?.owner]);
  if (!from) {
    return done([], counted, ['no address of its own to answer from (give it one: --address)']);
  }
  if (!msg.valid) {
    return msg.kind === 'inf-ack'
      ? done([], counted, ['an invalid inf ack: never nacked'])
      : done([infNack(env, from, validationErrors(msg), ctx.now)]);
  }
  if (faults.nack) {
    const diagnostic = faults.nack.text ?? 'simulated fault';
    return done([infNack(env, from, [{ code: faults.nack.code, diagnostic }], ctx.now)]);
  }
  return answers(msg, counted, faults, { ...ctx, from }, done);
}

function answers(
  msg: Received,
  state: SimulatorState,
  faults: ActiveFaults,
  ctx: RespondContext & { from: NonNullable<ReturnType<typeof replyFrom>> },
  done: (o: readonly Outgoing[], s?: SimulatorState, n?: readonly string[]) => Response,
): Response {
  const env = msg.envelope!;
  const out: Outgoing[] = [];
  const isAck = msg.kind !== 'message';
  if (msg.handling.infAckRequested || (faults.ackAcks && isAck))
    out.push(infAck(env, ctx.from, ctx.now));
  if (msg.kind === 'inf-ack') return done(out);
  if (msg.kind === 'business-ack') {
    if (faults.ackAcks) out.push(businessAck(env, ctx.from, 'AA', ctx.now));
    return done(out);
  }
  const business = carePlanBusiness(env, msg.carePlan, state, {
    self: ctx.self,
    from: ctx.from,
    staleVersion: faults.staleVersion,
  });
  if (business.rejected !== undefined)
    out.push(businessAck(env, ctx.from, 'AR', ctx.now, business.rejected));
  else if (msg.handling.busAckRequested) out.push(businessAck(env, ctx.from, 'AA', ctx.now));
  return done([...out, ...business.answers], business.state, business.notes);
}
