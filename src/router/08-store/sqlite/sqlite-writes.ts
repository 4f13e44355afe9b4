/** The store's writes, synchronous, for use inside a SQLite write transaction. */
import type { MessageId, NewEvent, RouterResponse } from '../message-store.js';
import { advance, type MessageState } from '../states.js';
import { StoreError } from '../store-error.js';
import type { Prepare } from './sqlite-reads.js';
import { toText } from './sqlite-rows.js';
import { SQL } from './sqlite-statements.js';

export class SqliteWrites {
  constructor(private readonly prepare: Prepare) {}

  /** The message's state, read inside the transaction that will move it. */
  currentState(messageId: MessageId): MessageState {
    const row = this.prepare(SQL.state).get(messageId) as { state: MessageState } | undefined;
    if (!row) throw new StoreError('unknown-message', `no message with id ${messageId}`);
    return row.state;
  }

  /** Appends an event and moves the message on from `current`, forward only. */
  insertEvent(
    messageId: MessageId,
    current: MessageState,
    e: NewEvent,
    ackTrackingId?: string,
  ): void {
    this.prepare(SQL.insertEvent).run({
      id: messageId,
      state: e.state,
      at: toText(e.at),
      detail: e.detail ?? null,
      endpointId: e.endpointId ?? null,
      code: e.code ?? null,
      ack: ackTrackingId ?? null,
    });
    const next = advance(current, e.state);
    if (next !== current) this.prepare(SQL.setState).run({ id: messageId, state: next });
  }

  /** Appends a response, unless the message holds its tracking id already. */
  insertResponse(messageId: MessageId, r: RouterResponse): void {
    this.prepare(SQL.insertResponse).run({
      id: messageId,
      kind: r.kind,
      trackingId: r.trackingId,
      to: r.toEndpointId,
      service: r.service,
      addressee: r.addressee ?? null,
      xml: r.xml,
    });
  }
}
