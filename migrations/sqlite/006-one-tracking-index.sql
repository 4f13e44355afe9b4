-- One index for the duplicate key and for lookups by tracking id, instead of two.
-- (tracking_id, sender_endpoint_id) is still unique with NULL senders distinct, still the conflict
-- target of the insert (ON CONFLICT names the same columns), and serves `WHERE tracking_id = ?`
-- as its leading column. Every insert of a message then writes one random index page for the
-- tracking id instead of two (docs/operations.md, "Throughput"). PostgreSQL keeps its own
-- tracking index, which also orders by arrival.
CREATE UNIQUE INDEX messages_tracking_sender ON messages (tracking_id, sender_endpoint_id);
DROP INDEX messages_sender_tracking;
DROP INDEX messages_tracking;
