-- Schema version 13: evidence that holds against an insider.

-- The producing team beside the handler (协办人): staff ids as a JSON list. Named when the case
-- is made; changed afterwards only by one of the agency's approvers.
ALTER TABLE cases ADD COLUMN co_handlers TEXT NOT NULL DEFAULT '[]';

-- Every change of a case: who, when, which field, from what to what. Never changed or deleted.
CREATE TABLE case_history (
    id       INTEGER PRIMARY KEY,
    case_id  INTEGER NOT NULL REFERENCES cases(id),
    at       TEXT NOT NULL,
    who      TEXT NOT NULL,
    field    TEXT NOT NULL,
    old      TEXT NOT NULL,
    new      TEXT NOT NULL
);
CREATE INDEX case_history_by_case ON case_history (case_id, id);
CREATE TRIGGER case_history_no_update BEFORE UPDATE ON case_history
BEGIN SELECT RAISE(ABORT, 'a case''s history cannot be changed'); END;
CREATE TRIGGER case_history_no_delete BEFORE DELETE ON case_history
BEGIN SELECT RAISE(ABORT, 'a case''s history cannot be deleted'); END;

-- The agency whose recording an access was aimed at, so that an attempt by another agency's
-- caller shows in the owner's log too.
ALTER TABLE access_log ADD COLUMN owner_agency_id TEXT;
CREATE INDEX access_log_by_owner ON access_log (owner_agency_id, id);
CREATE INDEX access_log_by_agency ON access_log (agency_id, id);

-- Recorded segments are evidence: once in the records, never changed or removed (the last
-- link of each session's chain is its head).
CREATE TRIGGER segments_no_update BEFORE UPDATE ON segments
BEGIN SELECT RAISE(ABORT, 'a recorded segment cannot be changed'); END;
CREATE TRIGGER segments_no_delete BEFORE DELETE ON segments
BEGIN SELECT RAISE(ABORT, 'a recorded segment cannot be deleted'); END;

-- The site's signing keys (public halves), in the order they were made: the key a manifest
-- must be signed with is the latest.
CREATE TABLE site_keys (
    public_key  TEXT PRIMARY KEY,
    recorded_at TEXT NOT NULL
);
CREATE TRIGGER site_keys_no_update BEFORE UPDATE ON site_keys
BEGIN SELECT RAISE(ABORT, 'a site key cannot be changed'); END;
CREATE TRIGGER site_keys_no_delete BEFORE DELETE ON site_keys
BEGIN SELECT RAISE(ABORT, 'a site key cannot be deleted'); END;
