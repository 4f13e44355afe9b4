/** Rows as SQLite returns them, and their conversion to the store's types. */
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
  received_at: string;
  size: number;
  state: string;
  outcome: string | null;
  completed_at: string | null;
}

export interface EventRow {
  state: string;
  at: string;
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

/** Every column of `messages` but the original bytes. */
export const MESSAGE_COLUMNS =
  'id, tracking_id, sender_endpoint_id, broker_user, service, interaction, sender_address, ' +
  'received_at, size, state, outcome, completed_at';

/** Times are stored as ISO 8601 UTC text, which sorts in time order. */
export const toText = (date: Date): string => date.toISOString();

export const toRecord = (r: MessageRow): MessageRecord => ({
  id: r.id,
  ...recordKeyFields(r.tracking_id), // T, and the generation of a replay (replay-generations.ts)
  senderEndpointId: r.sender_endpoint_id,
  brokerUser: r.broker_user,
  service: r.service,
  interaction: r.interaction,
  senderAddress: r.sender_address,
  receivedAt: new Date(r.received_at),
  size: r.size,
  state: r.state as MessageState,
  outcome: r.outcome as FinalState | null,
  completedAt: r.completed_at === null ? null : new Date(r.completed_at),
});

export const toEvent = (r: EventRow): MessageEvent => ({
  state: r.state as EventState,
  at: new Date(r.at),
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
