/**
 * The care-plan step of the pipeline: the index and the locator. Runs on care-plan messages that
 * passed validation, identity and routing, and returns the decision adjusted: refused (2200 /
 * 3000), answered by the router itself, or delivered to the recipients the care-plan rules give
 * (subscribers added, copies dropped without consent, requests and updates sent on to the owner).
 */
import type { RouterIdentity } from '../05-routing/router-identity.js';
import type { CarePlanFacts, CarePlanSummary } from '../03-envelope/careplan-payload.js';
import { subscribersFor, type Delivery, type RouteTable } from '../05-routing/index.js';
import type { CarePlanIndex } from './careplan-index.js';
import type { Endpoint } from '../01-config/routes-config.js';
import type { Envelope } from '../03-envelope/envelope.js';
import {
  buildCarePlanResponse,
  buildLocateResponse,
  listedPlanIds,
  type Answer,
} from './answers.js';
import { checkNotification, maySee, requestedPlan } from './plan-rules.js';

export interface CarePlanContext {
  readonly index: CarePlanIndex;
  readonly table: RouteTable;
  readonly router: RouterIdentity;
  readonly at: Date;
}

/**
 * What the care-plan rules read and adjust: a care-plan message that passed validation, identity
 * and routing, with the deliveries routing gave it. The pipeline hands it in and takes the result
 * back into its decision; the step knows nothing of the pipeline.
 */
export interface CarePlanRouting {
  readonly kind: 'delivered' | 'partly-delivered' | 'answered' | 'careplan-refused';
  readonly envelope: Envelope;
  readonly sender: Endpoint;
  readonly deliveries: readonly Delivery[];
  /** The message was addressed to the care-plan locator (the router's own service). */
  readonly toLocator?: boolean;
  /**
   * The end points an earlier attempt of this very message (the same record: the same sender and
   * tracking id, taken over after a crash) already delivered it to: what the rules accepted then
   * is not judged again against the index as it is now (the owner may have acted on it since).
   */
  readonly earlierDeliveries?: readonly string[];
  /**
   * The answers an earlier attempt of this very message recorded before it sent them (the store's
   * recordAnswers): a locate or request taken over after a crash is answered with these again, not
   * judged anew against an index that may have moved on, unless the asker may no longer see a plan
   * they list.
   */
  readonly earlierAnswers?: readonly Answer[];
  /** Why a refusal refuses (the nack's errors). */
  readonly errors?: readonly { readonly code: '2200' | '3000'; readonly diagnostic: string }[];
  /** Answers the router itself sends the sender (locator responses). */
  readonly answers?: readonly Answer[];
}

const refused = (d: CarePlanRouting, code: '2200' | '3000', text: string): CarePlanRouting => ({
  ...d,
  kind: 'careplan-refused',
  errors: [{ code, diagnostic: text }],
  deliveries: [],
});

/** One delivery per end point, never back to the sender. */
function unique(deliveries: readonly Delivery[], senderId: string): Delivery[] {
  const seen = new Set<string>([senderId]);
  return deliveries.filter((x) => !seen.has(x.endpointId) && seen.add(x.endpointId));
}

const isCopy = (x: Delivery) =>
  x.recipient.startsWith('copy:') || x.recipient.startsWith('subscription:');

/**
 * A plan without consent to share goes only to its owner and the addresses its owner chose:
 * whatever message carries it (notification, response, update), copy routes and
 * subscriptions apply only when the INDEX says the patient consented. What the message itself
 * claims (a proposed plan, a response's copy, a forged notification) grants nothing; a plan the
 * index does not hold has no consent.
 */
async function withoutCopiesUnlessConsented(
  d: CarePlanRouting,
  facts: CarePlanFacts,
  ctx: CarePlanContext,
): Promise<CarePlanRouting> {
  const planId = facts.plan?.planId; // a message that carries no plan (request, locate) shows none
  if (!planId || !d.deliveries.some(isCopy)) return d;
  if ((await ctx.index.getPlan(planId))?.consentToShare) return d;
  return { ...d, deliveries: d.deliveries.filter((x) => !isCopy(x)) };
}

export async function applyCarePlanRules(
  d: CarePlanRouting,
  facts: CarePlanFacts,
  ctx: CarePlanContext,
): Promise<CarePlanRouting> {
  return withoutCopiesUnlessConsented(await applyMessageRules(d, facts, ctx), facts, ctx);
}

async function applyMessageRules(
  d: CarePlanRouting,
  facts: CarePlanFacts,
  ctx: CarePlanContext,
): Promise<CarePlanRouting> {
  if (d.kind !== 'delivered' && d.kind !== 'partly-delivered') return d;
  switch (facts.message) {
    case 'CarePlanNotification':
      return facts.plan ? notify(d, { ...facts, plan: facts.plan }, ctx) : d;
    case 'LocateCarePlans':
      return d.toLocator ? locate(d, facts, ctx) : d;
    case 'CarePlanRequest':
      return d.toLocator ? request(d, facts, ctx) : d;
    case 'CarePlanUpdate':
      return update(d, facts, ctx);
    default:
      return d;
  }
}

async function notify(
  d: CarePlanRouting,
  facts: CarePlanFacts & { plan: CarePlanSummary },
  ctx: CarePlanContext,
): Promise<CarePlanRouting> {
  const sender = d.sender;
  const envelope = d.envelope;
  const current = await ctx.index.getPlan(facts.plan.planId);
  // Only the sender's own notification, met again after a crash or a retry, counts as applied: a
  // tracking id that another end point used grants nothing (checked as any other change).
  const redelivered =
    current !== undefined &&
    current.version >= facts.plan.version &&
    (await alreadyApplied(ctx, facts.plan, envelope.trackingId, sender.id));
  const verdict = redelivered
    ? ({ ok: true, ownerEndpointId: current!.ownerEndpointId } as const)
    : checkNotification(facts, sender, current, ctx.table);
  if (!verdict.ok) return refused(d, verdict.code, verdict.text);
  const plan = facts.plan;
  const chosen = envelope.addresses
    .map((a) => a.uri)
    .filter((uri) => uri !== ctx.table.locatorAddress);
  const applied = await ctx.index.applyChange({
    plan: {
      planId: plan.planId,
      nhsNumber: plan.nhsNumber ?? current?.nhsNumber ?? '',
      planType: plan.planType,
      status: plan.status,
      title: plan.title,
      ownerEndpointId: verdict.ownerEndpointId,
      ownerAddress: plan.owner,
      version: plan.version,
      consentToShare: plan.consentToShare,
      sharedWith: [...new Set([...(current?.sharedWith ?? []), ...chosen])],
      lastUpdated: plan.lastUpdated,
    },
    event: facts.event ?? 'updated',
    expectedVersion: current?.version ?? 0,
    endpointId: sender.id,
    trackingId: envelope.trackingId,
    at: ctx.at,
  });
  if (!applied.applied) {
    const now = applied.current ? `version ${applied.current.version}` : 'a plan created meanwhile';
    return refused(
      d,
      '2200',
      `another notification of plan ${plan.planId} was applied first: the index holds ${now}`,
    );
  }
  // Subscribers (dropped again, with copy routes, when the plan has no consent to share).
  const subscribers = subscribersFor(ctx.table, plan.planType).map((endpointId) => ({
    endpointId,
    recipient: `subscription:${plan.planType}`,
  }));
  // owner-changed: the new owner always hears of it.
  const newOwner =
    facts.event === 'owner-changed'
      ? [{ endpointId: verdict.ownerEndpointId, recipient: plan.owner }]
      : [];
  const deliveries = unique([...d.deliveries, ...newOwner, ...subscribers], sender.id);
  return {
    ...d,
    deliveries,
    kind: d.kind === 'partly-delivered' || deliveries.length > 0 ? d.kind : 'answered',
  };
}

/**
 * This very notification (the same sender's, met again after a crash or a retry) already wrote
 * this version. The store's duplicate check is per (sender, tracking id), so another end point
 * re-sending the owner's tracking id reaches this step: it is not "already applied".
 */
async function alreadyApplied(
  ctx: CarePlanContext,
  plan: CarePlanSummary,
  trackingId: string,
  senderId: string,
): Promise<boolean> {
  const history = await ctx.index.history(plan.planId);
  return history.some(
    (v) => v.version === plan.version && v.trackingId === trackingId && v.endpointId === senderId,
  );
}

async function locate(
  d: CarePlanRouting,
  facts: CarePlanFacts,
  ctx: CarePlanContext,
): Promise<CarePlanRouting> {
  const kind = d.deliveries.length > 0 ? d.kind : 'answered';
  const nhsNumber = facts.nhsNumber ?? '';
  const plans = await ctx.index.findPlans(nhsNumber, facts.planType);
  const visible = plans.filter((p) => !p.closed && maySee(p, d.sender, ctx.table));
  // Answered by an earlier attempt: the same answer again, while the asker may still see every
  // plan it lists (consent withdrawn, a plan closed or the routes changed since: a new answer).
  const earlier = d.earlierAnswers ?? [];
  const stillVisible = new Set(visible.map((p) => p.planId));
  if (
    earlier.length > 0 &&
    earlier.every((a) => listedPlanIds(a).every((id) => stillVisible.has(id)))
  )
    return { ...d, kind, answers: earlier };
  const answer = buildLocateResponse(d.envelope, nhsNumber, visible, locator(ctx));
  return { ...d, kind, answers: [answer] };
}

async function request(
  d: CarePlanRouting,
  facts: CarePlanFacts,
  ctx: CarePlanContext,
): Promise<CarePlanRouting> {
  const asker = d.sender;
  // Forwarded already by an earlier attempt (taken over after a crash): forwarded again to the
  // same owner, not answered differently now.
  const forwarded = (d.earlierDeliveries ?? []).filter((id) => id !== asker.id);
  if (forwarded.length > 0) {
    const recipient = ctx.table.locatorAddress ?? 'locator';
    const again = forwarded.map((endpointId) => ({ endpointId, recipient }));
    return { ...d, deliveries: unique([...d.deliveries, ...again], asker.id) };
  }
  // Answered already by an earlier attempt: the same answer again.
  if (d.earlierAnswers?.length)
    return { ...d, kind: 'answered', deliveries: [], answers: d.earlierAnswers };
  const plans = facts.planId
    ? [await ctx.index.getPlan(facts.planId)].filter((p) => p !== undefined)
    : await ctx.index.findPlans(facts.nhsNumber ?? '', facts.planType);
  const answerWith = (outcome: 'not-found' | 'refused', reason: string): CarePlanRouting => ({
    ...d,
    kind: 'answered',
    deliveries: [],
    answers: [buildCarePlanResponse(d.envelope, outcome, reason, locator(ctx))],
  });
  const asked = facts.planId
    ? `plan ${facts.planId}`
    : `${facts.planType ? `a ${facts.planType}` : 'a'} plan for NHS number ${facts.nhsNumber}`;
  // Choose among the plans the asker may see, so a hidden newer plan neither hides an older one
  // nor shows through the answer.
  const plan = requestedPlan(
    facts,
    plans.filter((p) => maySee(p, asker, ctx.table)),
  );
  // A plan hidden from the asker is answered exactly as a plan that does not exist: the answer
  // must not tell that the patient has a plan the asker may not see.
  if (!plan) return answerWith('not-found', `the locator knows no ${asked}`);
  if (plan.ownerEndpointId === asker.id) {
    return answerWith('refused', `${asker.id} owns plan ${plan.planId} and holds its master copy`);
  }
  const toOwner = {
    endpointId: plan.ownerEndpointId,
    recipient: ctx.table.locatorAddress ?? 'locator',
  };
  return { ...d, deliveries: unique([...d.deliveries, toOwner], asker.id) };
}

async function update(
  d: CarePlanRouting,
  facts: CarePlanFacts,
  ctx: CarePlanContext,
): Promise<CarePlanRouting> {
  const plan = facts.planId ? await ctx.index.getPlan(facts.planId) : undefined;
  // A plan hidden from the proposer is refused exactly as a plan the index does not hold.
  if (!plan || !maySee(plan, d.sender, ctx.table))
    return refused(d, '2200', `plan ${facts.planId} is not in the index`);
  // Delivered to the owner by an earlier attempt of this very message: accepted then (and its
  // proposal recorded), perhaps applied since; not judged again against the plan as it is now.
  const accepted = d.earlierDeliveries?.includes(plan.ownerEndpointId) ?? false;
  if (!accepted && plan.closed)
    return refused(d, '2200', `plan ${plan.planId} was closed at version ${plan.version}`);
  if (!accepted && facts.baseVersion !== plan.version) {
    return refused(
      d,
      '2200',
      `version conflict: plan ${plan.planId} is at version ${plan.version}, the update is based on version ${facts.baseVersion}`,
    );
  }
  const toOwner = d.toLocator
    ? [{ endpointId: plan.ownerEndpointId, recipient: ctx.table.locatorAddress ?? 'locator' }]
    : [];
  const deliveries = unique([...d.deliveries, ...toOwner], d.sender.id);
  if (!deliveries.some((x) => x.endpointId === plan.ownerEndpointId)) {
    return refused(
      d,
      '2200',
      `an update goes to the plan's owner ${plan.ownerAddress} (or the locator), not to other end points`,
    );
  }
  if (!accepted)
    await ctx.index.recordUpdateProposal({
      updateTrackingId: d.envelope.trackingId,
      planId: plan.planId,
      baseVersion: plan.version,
      endpointId: d.sender.id,
      at: ctx.at,
    });
  return { ...d, deliveries };
}

const locator = (ctx: CarePlanContext) => ({
  ...ctx.router,
  locator: ctx.table.locatorAddress ?? ctx.router.address,
});
