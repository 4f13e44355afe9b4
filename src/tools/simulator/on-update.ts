/**
 * A CarePlanUpdate of a plan the simulator owns: accepted on the current version by notifying the
 * next version (event `updated`) to the proposer and the plan's previous address list; rejected
 * (business ack AR) when stale, closed, not held or not owned. Pure.
 */
import type { CarePlanFacts } from '../../router/03-envelope/careplan-payload.js';
import { asker, type Handler } from './business-outcome.js';
import { carePlanMessage } from './outgoing.js';
import { carePlanElement, planXmlOf, textElement, withVersion } from './plan-xml.js';
import { heldPlan, isClosed, keepPlan, type HeldPlan } from './plan-store.js';
import { claims, type SimulatorSelf } from './self.js';

function refusal(plan: HeldPlan | undefined, facts: CarePlanFacts, self: SimulatorSelf) {
  const id = facts.planId ?? facts.plan?.planId ?? '';
  if (!plan) return `plan ${id} is not held here`;
  if (!claims(self, plan.owner))
    return `plan ${id} is owned by ${plan.owner}: only its owner accepts updates`;
  if (isClosed(plan)) return `plan ${id} is closed (${plan.status}) at version ${plan.version}`;
  if (facts.baseVersion !== plan.version) {
    return `version conflict: plan ${id} is at version ${plan.version}, the update is based on version ${facts.baseVersion}`;
  }
  if (facts.plan && facts.plan.owner !== plan.owner)
    return `an update may not change the owner of plan ${id} (${plan.owner})`;
  return undefined;
}

export const onUpdate: Handler = (env, facts, state, ctx) => {
  const held = facts.planId ? state.plans.get(facts.planId) : undefined;
  const proposedXml = planXmlOf(env);
  const why = refusal(held, facts, ctx.self);
  if (why || !held || !facts.plan || !proposedXml) {
    return {
      answers: [],
      state,
      rejected: why ?? 'the update carries no proposed plan',
      notes: [],
    };
  }
  const version = held.version + 1;
  const sent = ctx.staleVersion ? held.version : version;
  const recipients = [...new Set([asker(env), ...held.sharedWith])].filter(
    (uri) => uri !== '' && !claims(ctx.self, uri),
  );
  const payload = carePlanElement(
    'CarePlanNotification',
    textElement('event', 'updated') + withVersion(proposedXml, sent),
  );
  const notification = carePlanMessage(
    'CarePlanNotification',
    payload,
    recipients,
    ctx.from,
    env.trackingId,
    `care plan notification (updated: plan ${held.planId} version ${sent})`,
  );
  const next = keepPlan(
    state,
    heldPlan({ ...facts.plan, version }, withVersion(proposedXml, version), recipients),
  );
  return {
    answers: [notification],
    state: next,
    notes: [`accepts the update: plan ${held.planId} is now at version ${version}`],
  };
};
