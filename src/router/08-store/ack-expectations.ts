/**
 * Acknowledgement timeouts: what the store remembers about the acks a delivered message asked for
 * (`infackrequested` / `ackrequested`), and the queries the router's ack-overdue watch runs.
 *
 * The pipeline passes the expected acks to `complete` (Completion.expectedAcks), one per
 * (recipient end point, kind) with its deadline; `correlate` marks them met when the recipient's
 * ack (or nack, or response) arrives; the watch (src/router/10-ops/ack-overdue-watch.ts) marks the ones past
 * their deadline overdue, with an `ack-overdue` event on the message. An ack that arrives after
 * that still correlates: the message moves on and the expectation stops being overdue.
 * Pure types and rules here; SQLite and PostgreSQL implement {@link AckExpectations}.
 */
import type { MessageId } from './message-ids.js';
import type { CorrelationState } from './states.js';

/** `inf`: an infrastructure ack (`infackrequested`); `bus`: a business ack (`ackrequested`). */
export type AckKind = 'inf' | 'bus';

export const ACK_KINDS: readonly AckKind[] = ['inf', 'bus'];

/** An ack a message asked for: from which recipient, and by when. */
export interface ExpectedAck {
  readonly kind: AckKind;
  /** The recipient end point expected to acknowledge. */
  readonly endpointId: string;
  readonly dueAt: Date;
}

/** An expected ack that did not come by its deadline (and has not come since). */
export interface OverdueAck {
  readonly messageId: MessageId;
  readonly trackingId: string;
  readonly senderEndpointId: string | null;
  readonly service: string;
  readonly kind: AckKind;
  /** The recipient whose ack is missing. */
  readonly endpointId: string;
  readonly dueAt: Date;
  /** When the router marked it overdue. */
  readonly markedAt: Date;
}

/** The acks a correlated answer from a recipient settles: */
const SETTLES: Readonly<Record<CorrelationState, readonly AckKind[]>> = {
  'inf-acked': ['inf'],
  // a business ack proves receipt too, so it also settles a missing inf ack
  'bus-acked': ['inf', 'bus'],
  // a nack refuses the message: no business ack will follow it
  nacked: ['inf', 'bus'],
  // a care-plan response proves receipt; it is not a business ack
  answered: ['inf'],
};

export const acksSettledBy = (state: CorrelationState): readonly AckKind[] => SETTLES[state];

/** The correlation states whose answer settles an expected ack of `kind`. */
export const settlingStates = (kind: AckKind): CorrelationState[] =>
  (Object.keys(SETTLES) as CorrelationState[]).filter((state) => SETTLES[state].includes(kind));

/** Whether an answer in `state` from a recipient settles its expected ack of `kind`. */
export const settles = (state: string, kind: AckKind): boolean =>
  Object.hasOwn(SETTLES, state) && SETTLES[state as CorrelationState].includes(kind);

export const ackName = (kind: AckKind): string => (kind === 'inf' ? 'inf ack' : 'business ack');

/** The detail of the `ack-overdue` event: which ack, and its deadline. */
export const overdueDetail = (kind: AckKind, dueAt: Date): string =>
  `${ackName(kind)} not received by ${dueAt.toISOString()}`;

/** The store's part of acknowledgement timeouts. */
export interface AckExpectations {
  /**
   * Marks overdue, in one transaction, at most `limit` expected acks whose deadline is at or
   * before `now` and that are neither met nor marked yet, oldest deadline first; appends an
   * `ack-overdue` event (endpoint = the recipient, detail = which ack) to each message (forward
   * only: a message already further on keeps its state). Returns what it marked. Safe with
   * several router instances: each expectation is marked once.
   */
  markOverdue(now: Date, limit: number): Promise<readonly OverdueAck[]>;
  /** The acks marked overdue and still not received, oldest deadline first. */
  overdue(limit?: number): Promise<readonly OverdueAck[]>;
  /** How many acks are overdue now (marked, not received), by kind. */
  countOverdue(): Promise<Readonly<Record<AckKind, number>>>;
}
