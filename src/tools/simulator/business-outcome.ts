/** What the care-plan application makes of a message, and the shape of its handlers. Pure. */
import type { CarePlanFacts } from '../../router/03-envelope/careplan-payload.js';
import type { Envelope } from '../../router/03-envelope/envelope.js';
import type { Outgoing } from './outgoing.js';
import type { SimulatorState } from './plan-store.js';
import type { ReplyFrom, SimulatorSelf } from './self.js';

export interface BusinessContext {
  readonly self: SimulatorSelf;
  readonly from: ReplyFrom;
  readonly staleVersion: boolean;
}

/** What the application made of the message. */
export interface BusinessOutcome {
  readonly answers: readonly Outgoing[];
  readonly state: SimulatorState;
  /** Set when the application rejects the message: a business ack AR with this text. */
  readonly rejected?: string;
  readonly notes: readonly string[];
}

export type Handler = (
  env: Envelope,
  facts: CarePlanFacts,
  state: SimulatorState,
  ctx: BusinessContext,
) => BusinessOutcome;

export const nothing = (state: SimulatorState, ...notes: string[]): BusinessOutcome => ({
  answers: [],
  state,
  notes,
});

/** The sender's address, where answers go. */
export const asker = (env: Envelope) => env.senderAddress?.uri ?? '';
