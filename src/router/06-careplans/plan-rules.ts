/**
 * The care-plan rules of docs/contract.md and docs/care-plans.md, pure: who may notify, whether a
 * version may replace the indexed one, who may see a plan. No I/O; the index is passed in.
 */
import type { Endpoint } from '../01-config/routes-config.js';
import type { CarePlanFacts, CarePlanSummary } from '../03-envelope/careplan-payload.js';
import { resolveAddress, type RouteTable } from '../05-routing/index.js';
import type { PlanRecord } from './careplan-index.js';

export type Verdict =
  | { readonly ok: true; readonly ownerEndpointId: string }
  | { readonly ok: false; readonly code: '2200' | '3000'; readonly text: string };

const refuse = (code: '2200' | '3000', text: string): Verdict => ({ ok: false, code, text });

/**
 * Whether `asker` may see `plan`: its owner, the end points the addresses its owner chose resolve
 * to, or anyone when the patient consented to share it.
 */
export function maySee(plan: PlanRecord, asker: Endpoint, table: RouteTable): boolean {
  if (plan.ownerEndpointId === asker.id || plan.consentToShare) return true;
  return plan.sharedWith.some((address) => resolveAddress(table, address) === asker.id);
}

/** May `sender` notify this plan, given what the index holds? Decides the plan's owner end point. */
export function checkNotification(
  facts: CarePlanFacts & { plan: CarePlanSummary },
  sender: Endpoint,
  current: PlanRecord | undefined,
  table: RouteTable,
): Verdict {
  const { plan, event } = facts;
  const owner = resolveAddress(table, plan.owner);
  if (!owner || owner === 'locator' || owner === 'router') {
    return refuse('2200', `the plan's owner ${plan.owner} is not a registered end point`);
  }
  if (!current) {
    if (event !== 'created') {
      return refuse(
        '2200',
        `plan ${plan.planId} is not in the index: its first notification must be "created", not "${event}"`,
      );
    }
    if (owner !== sender.id) {
      return refuse(
        '3000',
        `only the owner may notify: plan ${plan.planId} names owner ${plan.owner}, not an address of ${sender.id}`,
      );
    }
    return { ok: true, ownerEndpointId: owner };
  }
  // Who sends decides first: nothing of the plan (closed, version, owner) is told to a sender
  // the plan is hidden from.
  if (sender.id !== current.ownerEndpointId) {
    return refuse(
      '3000',
      maySee(current, sender, table)
        ? `only the owner may notify: plan ${plan.planId} is owned by ${current.ownerEndpointId} (${current.ownerAddress})`
        : `only the owner may notify: ${sender.id} does not own plan ${plan.planId}`,
    );
  }
  if (current.closed)
    return refuse('2200', `plan ${plan.planId} was closed at version ${current.version}`);
  if (event === 'created')
    return refuse('2200', `plan ${plan.planId} already exists, at version ${current.version}`);
  if (plan.version <= current.version) {
    return refuse(
      '2200',
      `version must increase: plan ${plan.planId} is at version ${current.version}, the notification has version ${plan.version}`,
    );
  }
  if (plan.nhsNumber && plan.nhsNumber !== current.nhsNumber) {
    return refuse(
      '2200',
      `plan ${plan.planId} belongs to NHS number ${current.nhsNumber}, the notification names ${plan.nhsNumber}`,
    );
  }
  if (event === 'owner-changed') {
    if (owner === current.ownerEndpointId)
      return refuse('2200', `owner-changed names the current owner ${plan.owner}`);
  } else if (owner !== current.ownerEndpointId) {
    return refuse(
      '2200',
      `the owner changes from ${current.ownerAddress} to ${plan.owner}: use the owner-changed event`,
    );
  }
  return { ok: true, ownerEndpointId: owner };
}

/** The plan (as indexed) that a CarePlanRequest asks for: by id, else the patient's newest open plan. */
export function requestedPlan(
  facts: CarePlanFacts,
  plans: readonly PlanRecord[],
): PlanRecord | undefined {
  const open = plans.filter((p) => !p.closed);
  if (facts.planId) return plans.find((p) => p.planId === facts.planId);
  return open.find((p) => !facts.planType || p.planType === facts.planType);
}
