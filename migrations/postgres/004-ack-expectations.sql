-- Acknowledgement timeouts (src/store/ack-expectations.ts): the acks a delivered message asked
-- its recipients for (infackrequested / ackrequested), each with its deadline, recorded by
-- complete(); met by correlate() when the recipient answers; marked overdue by the router's
-- ack-overdue watch once the deadline passes unmet.
-- The same table and meaning as migrations/sqlite/004-ack-expectations.sql.

CREATE TABLE ack_expectations (
  message_id  uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  kind        text NOT NULL,              -- 'inf' | 'bus'
  endpoint_id text NOT NULL,              -- the recipient expected to acknowledge
  due_at      timestamptz NOT NULL,
  met_at      timestamptz,                -- when its ack (nack, response) was correlated
  overdue_at  timestamptz,                -- when the router marked it overdue
  PRIMARY KEY (message_id, kind, endpoint_id)
);

-- The watch's scan: expectations neither met nor marked, by deadline.
CREATE INDEX ack_expectations_pending ON ack_expectations (due_at)
  WHERE met_at IS NULL AND overdue_at IS NULL;
-- `itk-router overdue` and the itk_acks_overdue gauge: marked and still unmet.
CREATE INDEX ack_expectations_overdue ON ack_expectations (due_at)
  WHERE met_at IS NULL AND overdue_at IS NOT NULL;
