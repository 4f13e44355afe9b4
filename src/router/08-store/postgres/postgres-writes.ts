/** The store's writes, for use inside one PostgreSQL write transaction. */
import type { MessageId, NewEvent } from '../message-store.js';
import { advance, type MessageState } from '../states.js';
import type { Query } from './postgres-connection.js';
import { SQL } from './postgres-statements.js';

export class PostgresWrites {
  constructor(private readonly q: Query) {}

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
}
