/** The SQL the PostgreSQL store runs (the schema itself lives in migrations/postgres). */
import { MESSAGE_COLUMNS } from './postgres-rows.js';

export const SQL = {
  /** An existing message and its processing claim, locked: concurrent takeovers meet here. */
  lockByKey: `SELECT ${MESSAGE_COLUMNS}, claimed_by, claim_until FROM messages WHERE sender_endpoint_id = $1 AND tracking_id = $2 FOR UPDATE`,
  claim: 'UPDATE messages SET claimed_by = $2, claim_until = $3 WHERE id = $1',
  /** Nothing once retention cleared the body. */
  original: 'SELECT original FROM messages WHERE id = $1 AND body_cleared_at IS NULL',
  insertEvent:
    'INSERT INTO message_events (message_id, state, at, detail, endpoint_id, code, ack_tracking_id) ' +
    'VALUES ($1, $2, $3, $4, $5, $6, $7)',
  /** insertEvent and the move of the state it causes, in one round trip. */
  insertEventSetState:
    'WITH e AS (INSERT INTO message_events (message_id, state, at, detail, endpoint_id, code, ack_tracking_id) ' +
    'VALUES ($1, $2, $3, $4, $5, $6, $7)) UPDATE messages SET state = $8 WHERE id = $1',
  sameCorrelation:
    'SELECT 1 FROM message_events WHERE message_id = $1 AND state = $2 ' +
    'AND ack_tracking_id = $3 AND endpoint_id = $4',
  recordById: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = $1`,
  recordByKey: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE sender_endpoint_id = $1 AND tracking_id = $2`,
  /** $1: the tracking id's generation keys (replay-generations.ts), so replays are found too. */
  recordsByTrackingId: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE tracking_id = ANY($1::text[]) ORDER BY received_at, seq`,
  responses:
    'SELECT kind, tracking_id, to_endpoint_id, service, addressee, xml FROM message_responses WHERE message_id = $1 ORDER BY position',
  events:
    'SELECT state, at, detail, endpoint_id, code, ack_tracking_id FROM message_events WHERE message_id = $1 ORDER BY seq',
  ackTrackingIds:
    'SELECT ack_tracking_id AS t FROM message_events WHERE message_id = $1 AND ack_tracking_id IS NOT NULL ' +
    'GROUP BY ack_tracking_id ORDER BY MIN(seq)',
  idsReferencedBy:
    'SELECT message_id AS id FROM message_events WHERE ack_tracking_id = $1 ' +
    'UNION SELECT message_id FROM message_responses WHERE tracking_id = $1',
} as const;

/** The originals a correlation moves on, locked in a stable order (no deadlock between two acks). */
export const LOCK_BY_TRACKING_ID = `${SQL.recordsByTrackingId} FOR UPDATE`;
