/**
 * The states a message moves through, and the one rule that moves it: forward only.
 * Pure; shared by every MessageStore implementation.
 */

/** Where a message can be. A record's `state` is always one of these. */
export const MESSAGE_STATES = [
  'received',
  'validated',
  'routed',
  'delivered',
  'ack-overdue',
  'inf-acked',
  'bus-acked',
  'answered',
  'nacked',
  'quarantined',
] as const;

export type MessageState = (typeof MESSAGE_STATES)[number];

/**
 * What an event can record: every message state, plus two that are history only and never move
 * the state (`duplicate`: the same tracking id came again; `failed-attempt`: processing failed and
 * will be retried).
 */
export const EVENT_STATES = [...MESSAGE_STATES, 'duplicate', 'failed-attempt'] as const;

export type EventState = (typeof EVENT_STATES)[number];

/** The states `complete` may store as the router's outcome for a message. */
export const FINAL_STATES = ['delivered', 'answered', 'nacked', 'quarantined'] as const;

export type FinalState = (typeof FINAL_STATES)[number];

/** The states an acknowledgement or response moves its original to. */
export type CorrelationState = 'inf-acked' | 'bus-acked' | 'nacked' | 'answered';

/**
 * Progress order. A state replaces the current one only when its rank is at least as high, so an
 * inf ack that arrives after a bus ack, or an "ack overdue" after the ack, never moves a message
 * back. Failures rank highest: once nacked or quarantined, a message stays so.
 */
const RANK: Readonly<Record<MessageState, number>> = {
  received: 0,
  validated: 1,
  routed: 2,
  delivered: 3,
  'ack-overdue': 4,
  'inf-acked': 5,
  'bus-acked': 6,
  answered: 6,
  nacked: 7,
  quarantined: 7,
};

export const isMessageState = (s: string): s is MessageState => Object.hasOwn(RANK, s);

export const isEventState = (s: string): s is EventState =>
  (EVENT_STATES as readonly string[]).includes(s);

export const isFinalState = (s: string): s is FinalState =>
  (FINAL_STATES as readonly string[]).includes(s);

/** The state a message is in after `event` happens to it in state `current`. */
export function advance(current: MessageState, event: EventState): MessageState {
  if (!isMessageState(event)) return current;
  return RANK[event] >= RANK[current] ? event : current;
}
