/** The store's queries that only read, run through a Query (the pool, or one transaction). */
import type { MessageHistory, MessageRecord, RouterResponse } from '../message-store.js';
import { generationKeys } from '../replay-generations.js';
import type { Query } from './postgres-connection.js';
import {
  idParam,
  toEvent,
  toRecord,
  toResponse,
  type EventRow,
  type MessageRow,
  type ResponseRow,
} from './postgres-rows.js';
import { SQL } from './postgres-statements.js';

export class PostgresReads {
  constructor(private readonly q: Query) {}

  async recordById(id: string): Promise<MessageRecord | undefined> {
    const [row] = await this.q<MessageRow>(SQL.recordById, [idParam(id)]);
    return row && toRecord(row);
  }

  async recordByKey(sender: string, trackingId: string): Promise<MessageRecord | undefined> {
    const [row] = await this.q<MessageRow>(SQL.recordByKey, [sender, trackingId]);
    return row && toRecord(row);
  }

  /** Oldest first. */
  async recordsByTrackingId(trackingId: string): Promise<MessageRecord[]> {
    const keys = generationKeys(trackingId); // replay generations too
    return (await this.q<MessageRow>(SQL.recordsByTrackingId, [keys])).map(toRecord);
  }

  async responses(messageId: string): Promise<RouterResponse[]> {
    return (await this.q<ResponseRow>(SQL.responses, [idParam(messageId)])).map(toResponse);
  }

  async history(record: MessageRecord): Promise<MessageHistory> {
    const events = (await this.q<EventRow>(SQL.events, [record.id])).map(toEvent);
    return { record, events, responses: await this.responses(record.id) };
  }

  /** Tracking ids of the acks and responses correlated with a message, in order of arrival. */
  async ackTrackingIds(messageId: string): Promise<string[]> {
    return (await this.q<{ t: string }>(SQL.ackTrackingIds, [messageId])).map((r) => r.t);
  }

  /** Messages that an ack (correlated) or a router response (completed) with this tracking id refers to. */
  async idsReferencedBy(trackingId: string): Promise<string[]> {
    return (await this.q<{ id: string }>(SQL.idsReferencedBy, [trackingId])).map((r) => r.id);
  }
}
