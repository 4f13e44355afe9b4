/**
 * The care-plan messages the simulated systems send (docs/contract.md, "Care-plan messages"):
 * notify, locate, request, respond, propose an update.
 */
import { carePlanMessage, type Outgoing, type Sender } from './careplan-envelope.js';
import { writePlan, type PlanData } from './plan-data.js';

export type { Outgoing, Sender } from './careplan-envelope.js';

const planName = (plan: PlanData) => `the care plan '${plan.title}', version ${plan.version}`;

/** The owner pushes a version of its plan to the addresses it chose. */
export function notification(
  from: Sender,
  to: readonly string[],
  event: 'created' | 'updated' | 'closed' | 'owner-changed',
  plan: PlanData,
): Outgoing {
  return carePlanMessage(
    'CarePlanNotification',
    (root) => {
      root.ele('event').txt(event);
      writePlan(root, 'plan', plan);
    },
    from,
    to,
    { infAck: true, busAck: false },
    { label: `notification v${plan.version}`, summary: planName(plan) },
  );
}

/** Does a plan exist for this patient, and who holds it? Asked of the router's locator. */
export function locate(
  from: Sender,
  locator: string,
  nhsNumber: string,
  planType?: string,
): Outgoing {
  return carePlanMessage(
    'LocateCarePlans',
    (root) => {
      root.ele('nhsNumber').txt(nhsNumber);
      if (planType) root.ele('planType').txt(planType);
    },
    from,
    [locator],
    { infAck: false, busAck: false }, // the locator's answer is the acknowledgement
    { label: 'locate', summary: 'the question to the locator' },
  );
}

/** Pull: ask for a plan by its id, through the locator (which forwards it to the owner). */
export function request(
  from: Sender,
  to: string,
  planId: string,
  reason: string,
  title = 'a care plan',
): Outgoing {
  return carePlanMessage(
    'CarePlanRequest',
    (root) => {
      root.ele('planId').txt(planId);
      root.ele('reason').txt(reason);
    },
    from,
    [to],
    { infAck: true, busAck: false },
    { label: 'request', summary: `the request for '${title}'` },
  );
}

/** The holder's answer to a request: found (with the plan), not-found or refused. */
export function response(
  from: Sender,
  to: string,
  inResponseTo: string,
  answer:
    { outcome: 'found'; plan: PlanData } | { outcome: 'not-found' | 'refused'; reason: string },
): Outgoing {
  return carePlanMessage(
    'CarePlanResponse',
    (root) => {
      root.ele('inResponseTo').txt(inResponseTo.toUpperCase());
      root.ele('outcome').txt(answer.outcome);
      if (answer.outcome === 'found') writePlan(root, 'plan', answer.plan);
      else root.ele('reason').txt(answer.reason);
    },
    from,
    [to],
    { infAck: true, busAck: false },
    {
      label: `response ${answer.outcome}`,
      summary:
        answer.outcome === 'found' ? planName(answer.plan) : `the answer "${answer.outcome}"`,
    },
  );
}

/** A team member proposes the next version to the plan's owner, who accepts or rejects it. */
export function update(
  from: Sender,
  owner: string,
  proposed: PlanData,
  baseVersion: number,
  summary: string,
): Outgoing {
  return carePlanMessage(
    'CarePlanUpdate',
    (root) => {
      root.ele('planId').txt(proposed.planId);
      root.ele('baseVersion').txt(String(baseVersion));
      root.ele('summary').txt(summary);
      writePlan(root, 'proposedPlan', proposed);
    },
    from,
    [owner],
    { infAck: true, busAck: true }, // the owner's decision comes back as a business ack
    {
      label: `update on v${baseVersion}`,
      summary: `the proposed update of '${proposed.title}' to version ${proposed.version}`,
    },
  );
}
