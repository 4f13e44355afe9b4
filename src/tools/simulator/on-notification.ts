/** A notified plan is kept (a newer version replaces an older one, never the reverse). Pure. */
import { nothing, type Handler } from './business-outcome.js';
import { planXmlOf } from './plan-xml.js';
import { heldPlan, keepPlan } from './plan-store.js';

export const onNotification: Handler = (env, facts, state) => {
  const xml = planXmlOf(env);
  if (!facts.plan || !xml) return nothing(state);
  const plan = facts.plan;
  const sharedWith = env.addresses.map((a) => a.uri);
  const next = keepPlan(state, heldPlan(plan, xml, sharedWith));
  const held = state.plans.get(plan.planId);
  return next === state
    ? nothing(state, `already holds plan ${plan.planId} at version ${held?.version}`)
    : nothing(next, `keeps plan ${plan.planId} version ${plan.version}`);
};
