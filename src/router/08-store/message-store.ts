/**
 * The message store: audit trail, duplicate check, delivery progress, correlation of acks and
 * the router's own answers. One interface; SQLite and PostgreSQL implement it and pass the same
 * contract tests (test/contract/message-store.contract.ts).
 */
import type { SchemaStatus } from './schema-status.js';
import type { AckExpectations, ExpectedAck } from './ack-expectations.js';
import type { AuditLog } from './audit-log.js';
import type { MessageQueries } from './message-queries.js';
import type { CarePlanIndex } from '../06-careplans/careplan-index.js';
import type { ProcessingClaim } from './processing-lease.js';
import type { RetentionStore } from './retention.js';
import type { CorrelationState, EventState, FinalState, MessageState } from './states.js';

/** The store's own id for a message (a UUID), distinct from the supplier's tracking id. */
export type { MessageId } from './message-ids.js';
import type { MessageId } from './message-ids.js';

/** A message as the router received it, given to {@link MessageStore.begin}. */
export interface IncomingMessage {
  readonly trackingId: string;
  /**
   * The sending end point's id, or null when identity failed. The duplicate key is
   * (sender, tracking id), so a message without a sender is never treated as a duplicate.
   */
  readonly senderEndpointId: string | null;
  /** The AMQP `user_id` the message came with, when it had one. */
  readonly brokerUser?: string;
  readonly service: string;
  readonly interaction?: string;
  /** The DE's `senderAddress`, when present. */
  readonly senderAddress?: string;
  readonly receivedAt: Date;
  /** The bytes exactly as received; kept so a quarantined message can be replayed. */
  readonly bytes: Uint8Array;
}

/** What the store knows about one message. Unknown values are null. */
export interface MessageRecord {
  readonly id: MessageId;
  readonly trackingId: string;
  readonly senderEndpointId: string | null;
  readonly brokerUser: string | null;
  readonly service: string;
  readonly interaction: string | null;
  readonly senderAddress: string | null;
  readonly receivedAt: Date;
  /** Size of the original bytes. */
  readonly size: number;
  /** Where the message is now. Moves forward only (see `advance` in states.ts). */
  readonly state: MessageState;
  /** The router's outcome, stored by {@link MessageStore.complete}; null until then. */
  readonly outcome: FinalState | null;
  /** When processing finished; null while it has not (e.g. a crash mid-way, then a redelivery). */
  readonly completedAt: Date | null;
  /**
   * Set (1, 2, …) on a replay from the quarantine processed as a new attempt of a (sender,
   * tracking id) the store already held; absent on a first attempt (replay-generations.ts).
   */
  readonly generation?: number;
}

/** An event to append to a message's history. */
export interface NewEvent {
  readonly state: EventState;
  readonly at: Date;
  readonly detail?: string;
  /** The end point concerned: the one delivered to, or the one that sent an ack. */
  readonly endpointId?: string;
  /** An ITK error code or ack type code, when the event carries one. */
  readonly code?: string;
}

/** One entry of a message's history, as stored. */
export interface MessageEvent {
  readonly state: EventState;
  readonly at: Date;
  readonly detail: string | null;
  readonly endpointId: string | null;
  readonly code: string | null;
  /** For a correlated ack or response: its own tracking id. */
  readonly ackTrackingId: string | null;
}

/** A message the router itself sent about another (a nack, an inf ack on an end point's behalf, an answer). */
export interface RouterResponse {
  readonly kind: 'inf-nack' | 'inf-ack' | 'response';
  /** The response's own tracking id. */
  readonly trackingId: string;
  /** The end point whose queue it was sent to. */
  readonly toEndpointId: string;
  /** Its DE service (the delivery's AMQP `type`), as the router built it. */
  readonly service: string;
  /** The address it is addressed to (the sender's senderAddress), when it has one. */
  readonly addressee?: string;
  /** The DE XML exactly as sent, so a duplicate can be answered with the same bytes. */
  readonly xml: string;
}

/** How processing of a message ended, given to {@link MessageStore.complete}. */
export interface Completion {
  readonly state: FinalState;
  readonly at: Date;
  /** Every message the router itself sent for this one, in the order sent; may be empty. */
  readonly responses: readonly RouterResponse[];
  readonly detail?: string;
  readonly code?: string;
  /**
   * The acks the message asked its recipients for, with their deadlines (ack-expectations.ts);
   * one already correlated (an ack that overtook the completion) is stored as met.
   */
  readonly expectedAcks?: readonly ExpectedAck[];
}

/** An acknowledgement or response that names an original message's tracking id. */
export interface Correlation {
  readonly state: CorrelationState;
  /** The end point that sent the ack or response. */
  readonly by: string;
  /** The ack's or response's own tracking id. */
  readonly ackTrackingId: string;
  readonly at: Date;
  /** E.g. the business ack's type code (AA, AE, AR) or a nack's error code. */
  readonly code?: string;
  readonly detail?: string;
  /**
   * When known, only the original sent by this end point is correlated. Acks are addressed to
   * the original's sender, so this tells apart two senders that used the same tracking id.
   */
  readonly originalSender?: string;
}

/** The result of {@link MessageStore.begin}. */
export type BeginResult =
  | { readonly kind: 'new'; readonly id: MessageId }
  | {
      readonly kind: 'existing';
      readonly record: MessageRecord;
      /**
       * Set only while the message is unfinished and ANOTHER router instance holds a live claim
       * on it (processing-lease.ts): that instance is processing a copy right now. The caller
       * must not process it; it retries later, and then finds it completed (a duplicate) or the
       * claim run out (the holder died: the caller takes it over). Absent otherwise: for an
       * unfinished message, this instance now holds the claim.
       */
      readonly heldBy?: ProcessingClaim;
    };

/** A record with its events (oldest first) and the router's own responses to it. */
export interface MessageHistory {
  readonly record: MessageRecord;
  readonly events: readonly MessageEvent[];
  readonly responses: readonly RouterResponse[];
}

/** Everything `itk-router track <tracking id>` prints. */
export interface MessageStory {
  readonly trackingId: string;
  /** The messages with this tracking id (normally one; one per sender otherwise). */
  readonly messages: readonly MessageHistory[];
  /** Acks and responses correlated with those messages, found by their own tracking ids. */
  readonly references: readonly MessageHistory[];
  /**
   * When the tracking id is itself an ack or response (an end point's, correlated with
   * `correlate`, or one the router sent, from `complete`): the message(s) it refers to.
   */
  readonly originals: readonly MessageHistory[];
}

/**
 * The router's message store. Every method that writes is one transaction. Methods reject with
 * a `StoreError` (store-error.ts); `retryable` says whether the message should be retried later.
 */
export interface MessageStore {
  /** The care-plan index, kept in the same database. */
  readonly carePlans: CarePlanIndex;

  /** Acknowledgement timeouts: expected acks, overdue ones (ack-expectations.ts). */
  readonly acks: AckExpectations;

  /** Pruning by age and state (retention.ts). */
  readonly retention: RetentionStore;

  /** The console's audit log: who read or changed what (audit-log.ts). */
  readonly audit: AuditLog;

  /** The console's search and dashboard figures, answered through indexes (message-queries.ts). */
  readonly queries: MessageQueries;

  /** The router instance whose claims `begin` records (processing-lease.ts). */
  readonly instanceId: string;

  /**
   * Apply pending migrations; safe to call again and from several instances. Returns the names
   * applied now; `onApplied` hears of each as it is committed. Refuses (StoreError
   * `schema-newer`) a store that a newer router has migrated.
   */
  migrate(onApplied?: (name: string, ms: number) => void): Promise<readonly string[]>;

  /** Where the schema stands against the shipped migrations; reads only, creates nothing. */
  schemaStatus(): Promise<SchemaStatus>;

  /**
   * Record a message, unless one with the same (sender, tracking id) exists, atomically. A new
   * message starts in state `received` with a `received` event. An existing one is returned as
   * it is: `completedAt` says whether its processing finished (then it is a duplicate; the caller
   * records a `duplicate` event and re-sends {@link responsesFor}); otherwise it is a redelivery
   * to finish, skipping {@link confirmedDeliveries}.
   *
   * Processing lease: a new message, or an unfinished one that is free, this instance's own or
   * whose claim ran out, is claimed for {@link instanceId} until `receivedAt` + the lease; an
   * unfinished one that another instance's live claim holds is returned with `heldBy`, unchanged.
   */
  begin(message: IncomingMessage): Promise<BeginResult>;

  /** Append an event and move the message's state on (forward only). */
  addEvent(messageId: MessageId, event: NewEvent): Promise<void>;

  /** End points a `delivered` event confirms for this message, in order of first confirmation. */
  confirmedDeliveries(messageId: MessageId): Promise<readonly string[]>;

  /**
   * Store the outcome and the router's own responses, as sent (answers {@link recordAnswers}
   * stored are kept when listed, not stored twice, and dropped when not: never sent), append the
   * final event, move the state on (forward only: an ack correlated meanwhile is kept), clear the
   * processing claim. Refused if already completed.
   */
  complete(messageId: MessageId, completion: Completion): Promise<void>;

  /**
   * Record the answers the router is about to send for an unfinished message (its own `response`s:
   * the care-plan locator's), BEFORE it sends them, as a compare-and-set: stored only when the
   * answers the message holds are still those the caller saw (`expected`, their tracking ids; none
   * on a first attempt), replacing them. Returns the answers the message holds afterwards: the
   * ones to send (another attempt's, when it recorded first). A copy taken over after a crash can
   * so send the same answers again instead of different ones. {@link complete} keeps those its
   * list names and drops the others (recorded, never sent). Refused (`unknown-message`,
   * `already-completed`) for a message that is not there or is finished.
   */
  recordAnswers(
    messageId: MessageId,
    answers: readonly RouterResponse[],
    expected: readonly string[],
  ): Promise<readonly RouterResponse[]>;

  /** The router's own responses for a message, in the order sent; empty when none. */
  responsesFor(messageId: MessageId): Promise<readonly RouterResponse[]>;

  /**
   * The message's bytes exactly as received (for quarantine replay); undefined if unknown, or
   * once retention cleared them.
   */
  originalBytes(messageId: MessageId): Promise<Buffer | undefined>;

  /** Every message with this tracking id (normally one), oldest first, with its history. */
  findByTrackingId(trackingId: string): Promise<readonly MessageHistory[]>;

  /**
   * Append the ack's event to the original(s) and move their state on (forward only). The same
   * ack correlated twice (a redelivery) is recorded once. Returns the originals, updated; empty
   * when no message has that tracking id.
   */
  correlate(
    originalTrackingId: string,
    correlation: Correlation,
  ): Promise<readonly MessageRecord[]>;

  /** A message's whole story; undefined when the store knows nothing of the tracking id. */
  track(trackingId: string): Promise<MessageStory | undefined>;

  /** Resolves when the store can answer a query (for /readyz). */
  ping(): Promise<void>;

  /** Release the connection; calling it again does nothing. */
  close(): Promise<void>;
}
