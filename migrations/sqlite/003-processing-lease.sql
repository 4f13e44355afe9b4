-- The processing lease (src/store/processing-lease.ts): which router instance is working on a
-- message, and until when. Set by begin() when an instance begins or takes over a message, cleared
-- by complete(). NULL: nobody holds it (every message recorded before this migration).

ALTER TABLE messages ADD COLUMN claimed_by TEXT;   -- the instance id (a uuid per running router)
ALTER TABLE messages ADD COLUMN claim_until TEXT;  -- ISO 8601 UTC; the claim holds while now < it
