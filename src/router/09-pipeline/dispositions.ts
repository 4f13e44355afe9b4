/**
 * The one table that maps every outcome of the pipeline to exactly one disposition: what the
 * router sends back, whether the original bytes are quarantined, the state recorded, and how the
 * inbound delivery is settled. Every ending reads it, the failures (`retry`, `poison`) as much as
 * the outcomes of processing: handle-message.ts, process-message.ts and router-answers.ts decide
 * nothing of this by hand. docs/message-safety.md explains each row.
 */
import type { Settlement } from '../02-transport/consumer-options.js';

export type OutcomeKind =
  | 'delivered' // every recipient's copy confirmed by the broker
  | 'partly-delivered' // some addresses resolved nowhere: the rest delivered, a DE0003 nack for those
  | 'invalid' // a validation error (stages 2–5): nack with every finding
  | 'unreadable' // not a readable Distribution Envelope (stage 1, 2, or wrong root)
  | 'unknown-sender' // no user_id, or a broker user no end point lists (3000)
  | 'forbidden-sender' // senderAddress not one of the sending end point's addresses (3000)
  | 'rejected' // a reject route matched
  | 'unroutable' // no address resolved anywhere
  | 'answered' // the router answered itself (care-plan locator): the answer goes to the sender
  | 'careplan-refused' // a care-plan rule refused it (owner, version, consent): nack 2200 / 3000
  | 'duplicate' // (sender, tracking id) already processed: the earlier answers are sent again
  | 'failed-acknowledgement' // an invalid or unroutable inf ack: never acknowledged, quarantined
  | 'retry' // a transient failure (store, broker): the delivery goes back to the queue
  | 'poison'; // failed `retry.attempts` times: quarantined with 2100

export interface Disposition {
  /** Send the sender a nack (inf ack with result Failure), when the sender is known. */
  readonly nack: boolean;
  /** Publish the original bytes to the quarantine queue, reason in headers. */
  readonly quarantine: boolean;
  /** How the inbound delivery is settled once the above is confirmed (the consumer's vocabulary). */
  readonly settle: Settlement;
  /** The state recorded as the message's outcome. */
  readonly state: 'delivered' | 'nacked' | 'quarantined' | 'answered' | 'none';
}

export const DISPOSITIONS = Object.freeze({
  delivered: { nack: false, quarantine: false, settle: 'ack', state: 'delivered' },
  'partly-delivered': { nack: true, quarantine: false, settle: 'ack', state: 'delivered' },
  invalid: { nack: true, quarantine: false, settle: 'ack', state: 'nacked' },
  unreadable: { nack: true, quarantine: true, settle: 'ack', state: 'quarantined' },
  'unknown-sender': { nack: false, quarantine: true, settle: 'ack', state: 'quarantined' },
  'forbidden-sender': { nack: true, quarantine: true, settle: 'ack', state: 'quarantined' },
  rejected: { nack: true, quarantine: false, settle: 'ack', state: 'nacked' },
  unroutable: { nack: true, quarantine: false, settle: 'ack', state: 'nacked' },
  answered: { nack: false, quarantine: false, settle: 'ack', state: 'answered' },
  'careplan-refused': { nack: true, quarantine: false, settle: 'ack', state: 'nacked' },
  duplicate: { nack: false, quarantine: false, settle: 'ack', state: 'none' },
  'failed-acknowledgement': { nack: false, quarantine: true, settle: 'ack', state: 'quarantined' },
  retry: { nack: false, quarantine: false, settle: 'requeue', state: 'none' },
  poison: { nack: true, quarantine: true, settle: 'ack', state: 'quarantined' },
} as const satisfies Record<OutcomeKind, Disposition>);
