-- The care-plan index: one row per plan (its current version), every version's history, and the
-- updates proposed to an owner, so the version that accepts one can record it.

CREATE TABLE careplans (
  plan_id           TEXT PRIMARY KEY,          -- upper-case UUID
  nhs_number        TEXT NOT NULL,
  plan_type         TEXT NOT NULL,
  status            TEXT NOT NULL,             -- the plan's own status (draft, active, …)
  title             TEXT NOT NULL,
  owner_endpoint_id TEXT NOT NULL,             -- the end point holding the master copy
  owner_address     TEXT NOT NULL,
  version           INTEGER NOT NULL,
  consent_to_share  INTEGER NOT NULL,          -- 0 / 1
  shared_with       TEXT NOT NULL,             -- JSON array: the addresses the owner chose
  last_updated      TEXT NOT NULL,
  closed            INTEGER NOT NULL DEFAULT 0 -- 1 once a `closed` notification ended the plan
);

CREATE INDEX careplans_patient ON careplans (nhs_number, plan_type);

CREATE TABLE careplan_versions (
  plan_id              TEXT NOT NULL REFERENCES careplans (plan_id),
  version              INTEGER NOT NULL,
  event                TEXT NOT NULL,
  endpoint_id          TEXT NOT NULL,           -- who notified it
  tracking_id          TEXT NOT NULL,           -- the notification's tracking id
  update_tracking_id   TEXT,                    -- the accepted CarePlanUpdate, when there was one
  at                   TEXT NOT NULL,
  PRIMARY KEY (plan_id, version)
);

CREATE TABLE careplan_updates (
  update_tracking_id TEXT PRIMARY KEY,
  plan_id            TEXT NOT NULL,
  base_version       INTEGER NOT NULL,
  endpoint_id        TEXT NOT NULL,             -- who proposed it
  at                 TEXT NOT NULL
);

CREATE INDEX careplan_updates_plan ON careplan_updates (plan_id, base_version);
