/**
 * A CarePlanRequest answered from the store: found (the plan), not-found, or refused when the
 * plan has no consent to share and the asker is not one the owner chose. Pure.
 */
import { asker, type Handler } from './business-outcome.js';
import { carePlanMessage } from './outgoing.js';
import { carePlanElement, textElement, withVersion } from './plan-xml.js';
import { findRequested, type HeldPlan } from './plan-store.js';
import { claims, type SimulatorSelf } from './self.js';

/** Whether the owner's consent rule lets `address` see the plan. */
const maySee = (plan: HeldPlan, address: string, self: SimulatorSelf) =>
  plan.consentToShare ||
  plan.owner === address ||
  claims(self, address) ||
  plan.sharedWith.includes(address);

export const onRequest: Handler = (env, facts, state, ctx) => {
  const plan = findRequested(state, facts);
  const asked = facts.planId
    ? `plan ${facts.planId}`
    : `${facts.planType ? `${facts.planType} ` : ''}plan for NHS number ${facts.nhsNumber}`;
  let outcome: 'found' | 'not-found' | 'refused' = 'found';
  let reason: string | undefined;
  let planXml = '';
  let version: number | undefined;
  if (!plan) {
    outcome = 'not-found';
    reason = `no ${asked} is held here`;
  } else if (!maySee(plan, asker(env), ctx.self)) {
    outcome = 'refused';
    reason = `plan ${plan.planId} is not shared with ${asker(env)}: the patient has not consented to share it`;
  } else {
    version = ctx.staleVersion ? Math.max(1, plan.version - 1) : plan.version;
    planXml = version === plan.version ? plan.xml : withVersion(plan.xml, version);
  }
  const payload = carePlanElement(
    'CarePlanResponse',
    textElement('inResponseTo', env.trackingId.toUpperCase()) +
      textElement('outcome', outcome) +
      (reason ? textElement('reason', reason) : '') +
      planXml,
  );
  const summary =
    outcome === 'found'
      ? `care plan response (found: plan ${plan!.planId} version ${version})`
      : `care plan response (${outcome}: ${reason})`;
  return {
    answers: [
      carePlanMessage('CarePlanResponse', payload, [asker(env)], ctx.from, env.trackingId, summary),
    ],
    state,
    notes: [],
  };
};
