/** The store's writes, for use inside one PostgreSQL write transaction. */
import type { MessageId, NewEvent, RouterResponse } from '../message-store.js';
import { advance, type MessageState } from '../states.js';
import { StoreError } from '../store-error.js';
import type { Query } from './postgres-connection.js';
import { idParam } from './postgres-rows.js';
import { SQL } from './postgres-statements.js';

export class PostgresWrites {
  constructor(private readonly q: Query) {}

  /** The message's state, read and locked inside the transaction that will move it. */
  async lockState(messageId: MessageId): Promise<MessageState> {
    const [row] = await this.q<{ state: MessageState }>(SQL.lockState, [idParam(messageId)]);
    if (!row) throw new StoreError('unknown-message', `no message with id ${messageId}`);
    return row.state;
  }

  /** Appends an event and moves the message on from `current` (read under lock), forward only. */
  async insertEvent(
    messageId: MessageId,
    current: MessageState,
    e: NewEvent,
    ackTrackingId?: string,
  ): Promise<void> {
    const values = [
      messageId,
      e.state,
      e.at,
      e.detail ?? null,
      e.endpointId ?? null,
      e.code ?? null,
      ackTrackingId ?? null,
    ];
    const next = advance(current, e.state);
    if (next === current) await this.q(SQL.insertEvent, values);
    else await this.q(SQL.insertEventSetState, [...values, next]);
  }

  /** A message's responses, in order, in one statement (none: no statement). */
  async insertResponses(messageId: MessageId, responses: readonly RouterResponse[]): Promise<void> {
    if (responses.length === 0) return;
    await this.q(SQL.insertResponses, [
      messageId,
      responses.map((_, position) => position),
      responses.map((r) => r.kind),
      responses.map((r) => r.trackingId),
      responses.map((r) => r.toEndpointId),
      responses.map((r) => r.service),
      responses.map((r) => r.addressee ?? null),
      responses.map((r) => r.xml),
    ]);
  }
}
