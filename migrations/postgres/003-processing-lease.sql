-- The processing lease (src/store/processing-lease.ts): which router instance is working on a
-- message, and until when. Set by begin() when an instance begins or takes over a message, cleared
-- by complete(). NULL: nobody holds it (every message recorded before this migration).
-- The same columns and meaning as migrations/sqlite/003-processing-lease.sql.

ALTER TABLE messages
  ADD COLUMN claimed_by  text,          -- the instance id (a uuid per running router)
  ADD COLUMN claim_until timestamptz;   -- the claim holds while now < claim_until
