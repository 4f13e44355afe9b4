/** Rows as `pg` returns them (timestamptz as Date, bytea as Buffer), and their conversion. */
import type { MessageEvent, MessageRecord, RouterResponse } from '../message-store.js';
import { recordKeyFields } from '../replay-generations.js';
import type { EventState, FinalState, MessageState } from '../states.js';

export interface MessageRow {
  id: string;
  tracking_id: string;
  sender_endpoint_id: string | null;
  broker_user: string | null;
  service: string;
  interaction: string | null;
  sender_address: string | null;
  received_at: Date;
  size: number;
  state: string;
  outcome: string | null;
  completed_at: Date | null;
}

export interface EventRow {
  state: string;
  at: Date;
  detail: string | null;
  endpoint_id: string | null;
  code: string | null;
  ack_tracking_id: string | null;
}

export interface ResponseRow {
  kind: string;
  tracking_id: string;
  to_endpoint_id: string;
  service: string;
  addressee: string | null;
  xml: string;
}

/** A message's processing claim (processing-lease.ts); NULL when nobody holds it. */
export interface ClaimRow {
  claimed_by: string | null;
  claim_until: Date | null;
}

/** Every column of `messages` but the insertion sequence, the original bytes and the claim. */
export const MESSAGE_COLUMNS =
  'id, tracking_id, sender_endpoint_id, broker_user, service, interaction, sender_address, ' +
  'received_at, size, state, outcome, completed_at';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A message id as a query parameter: ids are uuid columns, so a string that is not a UUID (which
 * no message can have) becomes NULL and matches nothing, as an unknown id does in SQLite. A UUID
 * in capitals is the same id: lower case, as PostgreSQL prints a uuid (rows are matched by it).
 */
export const idParam = (id: string): string | null => (UUID.test(id) ? id.toLowerCase() : null);

/** A message id as the write groups match it against their rows (see idParam). */
export const idKey = (id: string): string => idParam(id) ?? id;

export const toRecord = (r: MessageRow): MessageRecord => ({
  id: r.id,
  ...recordKeyFields(r.tracking_id), // T, and the generation of a replay (replay-generations.ts)
  senderEndpointId: r.sender_endpoint_id,
  brokerUser: r.broker_user,
  service: r.service,
  interaction: r.interaction,
  senderAddress: r.sender_address,
  receivedAt: r.received_at,
  size: r.size,
  state: r.state as MessageState,
  outcome: r.outcome as FinalState | null,
  completedAt: r.completed_at,
});

export const toEvent = (r: EventRow): MessageEvent => ({
  state: r.state as EventState,
  at: r.at,
  detail: r.detail,
  endpointId: r.endpoint_id,
  code: r.code,
  ackTrackingId: r.ack_tracking_id,
});

export const toResponse = (r: ResponseRow): RouterResponse => ({
  kind: r.kind as RouterResponse['kind'],
  trackingId: r.tracking_id,
  toEndpointId: r.to_endpoint_id,
  service: r.service,
  ...(r.addressee === null ? {} : { addressee: r.addressee }),
  xml: r.xml,
});
