-- Schema version 2: who may call the site API, and the log of every access to recordings.

-- Tokens are stored as their SHA-256 only; the token itself is shown once, when it is issued.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    token_sha256 TEXT NOT NULL UNIQUE,
    -- kiosk: public screens (rooms, no sessions); clerk: the sessions of its agency;
    -- admin: site-wide administration.
    role         TEXT NOT NULL CHECK (role IN ('kiosk', 'clerk', 'admin')),
    -- Clerks act for exactly one agency; kiosks and admins for none.
    agency_id    TEXT REFERENCES agencies(id),
    created_at   TEXT NOT NULL,
    revoked_at   TEXT,
    CHECK ((role = 'clerk') = (agency_id IS NOT NULL))
);

-- Every access to a recording or its records, allowed or refused. Append-only: no interface
-- edits or deletes it, and the triggers refuse it at the database too.
CREATE TABLE access_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    who        TEXT NOT NULL,
    agency_id  TEXT,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL,
    allowed    INTEGER NOT NULL,
    reason     TEXT NOT NULL DEFAULT ''
);

CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'the access log cannot be changed');
END;

CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'the access log cannot be changed');
END;
