-- The web console (src/router/console/, docs/console.md): the audit log, and the indexes that
-- answer each filter of the message search (GET /api/v1/messages) without scanning the table or
-- reading a body. Every search orders newest first by (received_at, id) and pages by that key.
--   no filter, since / until          messages_received
--   trackingId                        messages_tracking_sender (006)
--   state                             messages_state_received (005)
--   sender                            messages_sender_received
--   service                           messages_service_received
--   recipient (delivered to)          message_events_delivered, then the message by its key

CREATE TABLE audit_log (
  seq     INTEGER PRIMARY KEY AUTOINCREMENT,
  at      TEXT NOT NULL,                 -- ISO 8601 UTC
  actor   TEXT NOT NULL,                 -- the user name (for a refused sign-in: the name tried)
  role    TEXT,
  action  TEXT NOT NULL,                 -- sign-in, body-view, careplan-lookup, quarantine-replay, …
  target  TEXT,                          -- tracking id, NHS number, quarantine entry, user name
  detail  TEXT,
  outcome TEXT NOT NULL,                 -- ok | refused | failed
  client  TEXT NOT NULL                  -- the client's address, or cli:<os user>
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
