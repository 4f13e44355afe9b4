-- The care-plan index: one row per plan (its current version), every version's history, and the
-- updates proposed to an owner, so the version that accepts one can record it.
-- The same tables and meaning as migrations/sqlite/002-careplans.sql. Text that orders results
-- uses COLLATE "C" (byte order, as SQLite compares), whatever the database's collation.

CREATE TABLE careplans (
  plan_id           text COLLATE "C" PRIMARY KEY,   -- upper-case UUID
  nhs_number        text NOT NULL,
  plan_type         text NOT NULL,
  status            text NOT NULL,                  -- the plan's own status (draft, active, …)
  title             text NOT NULL,
  owner_endpoint_id text NOT NULL,                  -- the end point holding the master copy
  owner_address     text NOT NULL,
  version           integer NOT NULL,
  consent_to_share  boolean NOT NULL,
  shared_with       jsonb NOT NULL,                 -- array: the addresses the owner chose
  last_updated      text COLLATE "C" NOT NULL,      -- as the plan states it
  closed            boolean NOT NULL DEFAULT false  -- true once a `closed` notification ended the plan
);

CREATE INDEX careplans_patient ON careplans (nhs_number, plan_type);

CREATE TABLE careplan_versions (
  plan_id            text COLLATE "C" NOT NULL REFERENCES careplans (plan_id),
  version            integer NOT NULL,
  event              text NOT NULL,
  endpoint_id        text NOT NULL,                 -- who notified it
  tracking_id        text NOT NULL,                 -- the notification's tracking id
  update_tracking_id text,                          -- the accepted CarePlanUpdate, when there was one
  at                 timestamptz NOT NULL,
  PRIMARY KEY (plan_id, version)
);

CREATE TABLE careplan_updates (
  update_tracking_id text COLLATE "C" PRIMARY KEY,
  plan_id            text COLLATE "C" NOT NULL,
  base_version       integer NOT NULL,
  endpoint_id        text NOT NULL,                 -- who proposed it
  at                 timestamptz NOT NULL
);

CREATE INDEX careplan_updates_plan ON careplan_updates (plan_id, base_version);
