-- Retention (src/store/retention.ts): bodies cleared, then records deleted, by age and state;
-- closed care plans' index entries after their age.
-- The same columns and indexes as migrations/sqlite/005-retention.sql.

-- When retention cleared the original bytes (then `original` is empty); NULL: still there.
ALTER TABLE messages ADD COLUMN body_cleared_at timestamptz;

-- Records by state and age; and those whose body is still there.
CREATE INDEX messages_state_received ON messages (state, received_at);
CREATE INDEX messages_body_state_received ON messages (state, received_at)
  WHERE body_cleared_at IS NULL;

CREATE INDEX careplans_closed ON careplans (plan_id) WHERE closed;
