-- Schema version 5: a session may be paused (where its room allows it).
--
-- SQLite cannot change a CHECK constraint in place, so the sessions table is rebuilt as SQLite
-- documents it (create, copy, drop, rename). Foreign keys are off during the step and checked
-- before it commits (see schema.rs); segments and events keep pointing at the same ids.
CREATE TABLE sessions_v5 (
    id            INTEGER PRIMARY KEY,
    agency_id     TEXT NOT NULL REFERENCES agencies(id),
    case_id       INTEGER NOT NULL REFERENCES cases(id),
    room_id       TEXT NOT NULL REFERENCES rooms(id),
    state         TEXT NOT NULL CHECK (state IN
                    ('starting', 'recording', 'stopping', 'finished', 'paused', 'interrupted', 'failed')),
    failure       TEXT,
    -- How the recording is made (devices, format), as JSON: part of the case file's record.
    recorded_with TEXT NOT NULL,
    media_dir     TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    started_at    TEXT,
    ended_at      TEXT,
    -- Who started the session (a staff member's name and credential, or the token's name).
    started_by    TEXT NOT NULL DEFAULT ''
);

INSERT INTO sessions_v5 (id, agency_id, case_id, room_id, state, failure, recorded_with,
                         media_dir, created_at, started_at, ended_at, started_by)
    SELECT id, agency_id, case_id, room_id, state, failure, recorded_with,
           media_dir, created_at, started_at, ended_at, started_by
    FROM sessions;

DROP TABLE sessions;
ALTER TABLE sessions_v5 RENAME TO sessions;
CREATE INDEX sessions_by_room ON sessions(room_id, id);
