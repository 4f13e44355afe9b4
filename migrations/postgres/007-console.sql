-- The web console: the audit log and the message search's indexes.
-- The same table, indexes and meaning as migrations/sqlite/008-console.sql (which says which index
-- answers which filter; the tracking id here is answered by messages_tracking of 001).

CREATE TABLE audit_log (
  seq     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at      timestamptz NOT NULL,
  actor   text NOT NULL,
  role    text,
  action  text NOT NULL,
  target  text,
  detail  text,
  outcome text NOT NULL,
  client  text NOT NULL
);

CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor, seq);

CREATE INDEX messages_received ON messages (received_at, id);
CREATE INDEX messages_sender_received ON messages (sender_endpoint_id, received_at, id);
CREATE INDEX messages_service_received ON messages (service, received_at, id);
CREATE INDEX message_events_delivered ON message_events (endpoint_id, message_id)
  WHERE state = 'delivered';

-- A message's story names the care-plan versions it made (GET /api/v1/messages/{trackingId}).
CREATE INDEX careplan_versions_tracking ON careplan_versions (tracking_id);
