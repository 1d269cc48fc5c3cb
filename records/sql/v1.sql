-- Schema version 1: the walking skeleton's records.
-- Media paths are stored relative to the site's media root so that a larger site can move the
-- media to another store later without rewriting the records.

CREATE TABLE agencies (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE rooms (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('interview', 'hearing'))
);

-- Which agencies may record in a shared room (避免重复建设: one set of rooms, many agencies).
CREATE TABLE room_agencies (
    room_id   TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    PRIMARY KEY (room_id, agency_id)
);

CREATE TABLE cases (
    id        INTEGER PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    number    TEXT NOT NULL,
    UNIQUE (agency_id, number)
);

CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY,
    agency_id   TEXT NOT NULL REFERENCES agencies(id),
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    room_id     TEXT NOT NULL REFERENCES rooms(id),
    state       TEXT NOT NULL CHECK (state IN
                  ('starting', 'recording', 'stopping', 'finished', 'interrupted', 'failed')),
    failure     TEXT,
    -- How the recording is made (devices, format), as JSON: part of the case file's record.
    recorded_with TEXT NOT NULL,
    media_dir   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    started_at  TEXT,
    ended_at    TEXT
);

CREATE INDEX sessions_by_room ON sessions(room_id, id);

CREATE TABLE segments (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES sessions(id),
    track       TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    file        TEXT NOT NULL,
    size_bytes  INTEGER NOT NULL,
    start_ns    INTEGER NOT NULL,
    duration_ns INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    link        TEXT NOT NULL,
    -- 1 when the segment was still open when the recorder died, and was closed on recovery.
    recovered   INTEGER NOT NULL DEFAULT 0,
    closed_at   TEXT NOT NULL,
    UNIQUE (session_id, track, seq)
);

CREATE TABLE session_events (
    id         INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT ''
);
