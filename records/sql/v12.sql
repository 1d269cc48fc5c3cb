-- Schema version 12: access to recordings by people outside the producing team.

-- Why the person accessed the recording, as they stated it (the access log's "why"); `reason`
-- keeps saying why an access was refused.
ALTER TABLE access_log ADD COLUMN purpose TEXT NOT NULL DEFAULT '';

-- A request to view or export a recording, with its stated purpose, and its approval or
-- refusal. Decided once; never deleted.
CREATE TABLE access_requests (
    id            INTEGER PRIMARY KEY,
    session_id    INTEGER NOT NULL REFERENCES sessions(id),
    agency_id     TEXT NOT NULL REFERENCES agencies(id),
    -- Who asks, as the access log names callers.
    requested_by  TEXT NOT NULL,
    action        TEXT NOT NULL CHECK (action IN ('view', 'export')),
    purpose       TEXT NOT NULL,
    requested_at  TEXT NOT NULL,
    decided_by    TEXT,
    decided_at    TEXT,
    approved      INTEGER,
    note          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX access_requests_by_session ON access_requests (session_id, requested_by, action);

CREATE TRIGGER access_requests_decided_once BEFORE UPDATE ON access_requests
WHEN OLD.decided_at IS NOT NULL
     OR NEW.session_id IS NOT OLD.session_id OR NEW.requested_by IS NOT OLD.requested_by
     OR NEW.action IS NOT OLD.action OR NEW.purpose IS NOT OLD.purpose
BEGIN SELECT RAISE(ABORT, 'an access request is decided once and its request is kept as made'); END;
CREATE TRIGGER access_requests_are_kept BEFORE DELETE ON access_requests
BEGIN SELECT RAISE(ABORT, 'an access request cannot be deleted'); END;
