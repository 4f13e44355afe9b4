-- Messages, their history, the router's own responses, and failed-attempt counters.
-- Append-only: never edit a migration once applied; add the next number instead.
-- (The care-plan index comes in a later migration.)
-- The same tables and meaning as migrations/sqlite/001-messages.sql, in PostgreSQL types.

CREATE TABLE messages (
  id                 uuid PRIMARY KEY,             -- the store's own id
  seq                bigint GENERATED ALWAYS AS IDENTITY, -- insertion order (SQLite's rowid)
  tracking_id        text NOT NULL,
  sender_endpoint_id text,                         -- NULL when identity failed
  broker_user        text,
  service            text NOT NULL,
  interaction        text,
  sender_address     text,
  received_at        timestamptz NOT NULL,
  size               integer NOT NULL,
  state              text NOT NULL,
  outcome            text,                         -- set by complete()
  completed_at       timestamptz,
  original           bytea NOT NULL
);

-- The duplicate key, and the arbiter of begin's INSERT … ON CONFLICT DO NOTHING, so several router
-- instances sharing the database record a message once. NULL senders are distinct, so
-- unidentified messages never collide.
CREATE UNIQUE INDEX messages_sender_tracking ON messages (sender_endpoint_id, tracking_id);
CREATE INDEX messages_tracking ON messages (tracking_id, received_at, seq);

CREATE TABLE message_events (
  seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message_id      uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  state           text NOT NULL,
  at              timestamptz NOT NULL,
  detail          text,
  endpoint_id     text,
  code            text,
  ack_tracking_id text                             -- set on events added by correlate()
);

CREATE INDEX message_events_message ON message_events (message_id, seq);
CREATE INDEX message_events_ack ON message_events (ack_tracking_id) WHERE ack_tracking_id IS NOT NULL;

CREATE TABLE message_responses (
  message_id     uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  position       integer NOT NULL,
  kind           text NOT NULL,
  tracking_id    text NOT NULL,
  to_endpoint_id text NOT NULL,
  xml            text NOT NULL,
  PRIMARY KEY (message_id, position)
);

CREATE INDEX message_responses_tracking ON message_responses (tracking_id);

CREATE TABLE failed_attempts (
  key      text PRIMARY KEY,
  count    integer NOT NULL,
  first_at timestamptz NOT NULL,
  last_at  timestamptz NOT NULL
);
