-- Messages, their history, the router's own responses, and failed-attempt counters.
-- Append-only: never edit a migration once applied; add the next number instead.
-- (The care-plan index comes in a later migration.)
-- Times are ISO 8601 UTC text (Date.toISOString), which sorts in time order.

CREATE TABLE messages (
  id                 TEXT PRIMARY KEY,        -- UUID, the store's own id
  tracking_id        TEXT NOT NULL,
  sender_endpoint_id TEXT,                    -- NULL when identity failed
  broker_user        TEXT,
  service            TEXT NOT NULL,
  interaction        TEXT,
  sender_address     TEXT,
  received_at        TEXT NOT NULL,
  size               INTEGER NOT NULL,
  state              TEXT NOT NULL,
  outcome            TEXT,                    -- set by complete()
  completed_at       TEXT,
  original           BLOB NOT NULL
);

-- The duplicate key. NULL senders are distinct, so unidentified messages never collide.
CREATE UNIQUE INDEX messages_sender_tracking ON messages (sender_endpoint_id, tracking_id);
CREATE INDEX messages_tracking ON messages (tracking_id);

CREATE TABLE message_events (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id      TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  state           TEXT NOT NULL,
  at              TEXT NOT NULL,
  detail          TEXT,
  endpoint_id     TEXT,
  code            TEXT,
  ack_tracking_id TEXT                        -- set on events added by correlate()
);

CREATE INDEX message_events_message ON message_events (message_id, seq);
CREATE INDEX message_events_ack ON message_events (ack_tracking_id) WHERE ack_tracking_id IS NOT NULL;

CREATE TABLE message_responses (
  message_id     TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  position       INTEGER NOT NULL,
  kind           TEXT NOT NULL,
  tracking_id    TEXT NOT NULL,
  to_endpoint_id TEXT NOT NULL,
  xml            TEXT NOT NULL,
  PRIMARY KEY (message_id, position)
);

CREATE INDEX message_responses_tracking ON message_responses (tracking_id);

CREATE TABLE failed_attempts (
  key      TEXT PRIMARY KEY,
  count    INTEGER NOT NULL,
  first_at TEXT NOT NULL,
  last_at  TEXT NOT NULL
);
