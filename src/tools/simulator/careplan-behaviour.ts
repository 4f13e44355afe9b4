/**
 * What a simulated care-plan system does with a valid care-plan message, as docs/contract.md
 * "Care-plan messages" has an owner and a team member do: keep notified plans, answer requests
 * from its store, accept an update of a plan it owns by notifying the next version, or reject it
 * (business ack AR) when its base version is stale. Pure.
 */
import type { CarePlanFacts } from '../../router/03-envelope/careplan-payload.js';
import type { Envelope } from '../../router/03-envelope/envelope.js';
import {
  nothing,
  type BusinessContext,
  type BusinessOutcome,
  type Handler,
} from './business-outcome.js';
import { onNotification } from './on-notification.js';
import { onRequest } from './on-request.js';
import { onUpdate } from './on-update.js';
import type { SimulatorState } from './plan-store.js';

export type { BusinessContext, BusinessOutcome } from './business-outcome.js';

const HANDLERS: Partial<Record<CarePlanFacts['message'], Handler>> = {
  CarePlanNotification: onNotification,
  CarePlanRequest: onRequest,
  CarePlanUpdate: onUpdate,
};

/** The application's part for a valid care-plan message; other messages need none. */
export function carePlanBusiness(
  env: Envelope,
  facts: CarePlanFacts | undefined,
  state: SimulatorState,
  ctx: BusinessContext,
): BusinessOutcome {
  const handler = facts ? HANDLERS[facts.message] : undefined;
  return handler ? handler(env, facts!, state, ctx) : nothing(state);
}
