/** The store's queries that only read, synchronous, for use inside SQLite transactions. */
import type Database from 'better-sqlite3';
import type { MessageHistory, MessageRecord, RouterResponse } from '../message-store.js';
import { generationKeys } from '../replay-generations.js';
import {
  MESSAGE_COLUMNS,
  toEvent,
  toRecord,
  toResponse,
  type EventRow,
  type MessageRow,
  type ResponseRow,
} from './sqlite-rows.js';

/** Prepares each SQL text once per connection. */
export type Prepare = (sql: string) => Database.Statement;

export class SqliteReads {
  constructor(private readonly prepare: Prepare) {}

  recordById(id: string): MessageRecord | undefined {
    const sql = `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ?`;
    const row = this.prepare(sql).get(id) as MessageRow | undefined;
    return row && toRecord(row);
  }

  recordByKey(senderEndpointId: string, trackingId: string): MessageRecord | undefined {
    const sql = `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE sender_endpoint_id = ? AND tracking_id = ?`;
    const row = this.prepare(sql).get(senderEndpointId, trackingId) as MessageRow | undefined;
    return row && toRecord(row);
  }

  /** Oldest first; replay generations included (replay-generations.ts). */
  recordsByTrackingId(trackingId: string): MessageRecord[] {
    const sql =
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE tracking_id IN (SELECT value FROM json_each(?)) ` +
      'ORDER BY received_at, rowid';
    const keys = JSON.stringify(generationKeys(trackingId));
    return (this.prepare(sql).all(keys) as MessageRow[]).map(toRecord);
  }

  responses(messageId: string): RouterResponse[] {
    const sql =
      'SELECT kind, tracking_id, to_endpoint_id, service, addressee, xml FROM message_responses WHERE message_id = ? ORDER BY position';
    return (this.prepare(sql).all(messageId) as ResponseRow[]).map(toResponse);
  }

  history(record: MessageRecord): MessageHistory {
    const sql =
      'SELECT state, at, detail, endpoint_id, code, ack_tracking_id FROM message_events WHERE message_id = ? ORDER BY seq';
    const events = (this.prepare(sql).all(record.id) as EventRow[]).map(toEvent);
    return { record, events, responses: this.responses(record.id) };
  }

  /** Tracking ids of the acks and responses correlated with a message, in order of arrival. */
  ackTrackingIds(messageId: string): string[] {
    const sql =
      'SELECT ack_tracking_id AS t FROM message_events WHERE message_id = ? AND ack_tracking_id IS NOT NULL ' +
      'GROUP BY ack_tracking_id ORDER BY MIN(seq)';
    return (this.prepare(sql).all(messageId) as { t: string }[]).map((r) => r.t);
  }

  /** Messages that an ack (correlated) or a router response (completed) with this tracking id refers to. */
  idsReferencedBy(trackingId: string): string[] {
    const sql =
      'SELECT message_id AS id FROM message_events WHERE ack_tracking_id = @t ' +
      'UNION SELECT message_id FROM message_responses WHERE tracking_id = @t';
    return (this.prepare(sql).all({ t: trackingId }) as { id: string }[]).map((r) => r.id);
  }
}
