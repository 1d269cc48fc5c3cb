-- Schema version 17: field evidence — body-worn cameras (执法记录仪) registered to officers,
-- their files collected at the site's shared station, one batch per visit, chained and signed
-- like a room session, linked to cases, and removed only by an approver after retention.

CREATE TABLE field_devices (
    serial        TEXT PRIMARY KEY,
    -- Its model profile ([bodycam] in hardware-profiles).
    model         TEXT NOT NULL,
    agency_id     TEXT NOT NULL REFERENCES agencies(id),
    issued_to     TEXT NOT NULL REFERENCES staff(id),
    registered_at TEXT NOT NULL,
    registered_by TEXT NOT NULL,
    retired_at    TEXT
);

-- One visit of a device to the station.
CREATE TABLE field_batches (
    id              INTEGER PRIMARY KEY,
    agency_id       TEXT NOT NULL REFERENCES agencies(id),
    device_serial   TEXT NOT NULL REFERENCES field_devices(serial),
    officer_id      TEXT NOT NULL REFERENCES staff(id),
    media_dir       TEXT NOT NULL,
    started_at      TEXT NOT NULL,
    ended_at        TEXT,
    state           TEXT NOT NULL CHECK (state IN ('collecting', 'complete', 'interrupted')),
    problem         TEXT,
    -- The camera's clock minus the station's, when the camera told its time.
    clock_offset_ms INTEGER
);
CREATE INDEX field_batches_by_device ON field_batches (device_serial, id);

-- A collected file: written only once its copy was read back and its hash matched the bytes
-- read from the camera. Its content facts never change.
CREATE TABLE field_files (
    id            INTEGER PRIMARY KEY,
    batch_id      INTEGER NOT NULL REFERENCES field_batches(id),
    agency_id     TEXT NOT NULL REFERENCES agencies(id),
    device_serial TEXT NOT NULL REFERENCES field_devices(serial),
    officer_id    TEXT NOT NULL REFERENCES staff(id),
    source_path   TEXT NOT NULL,
    -- The camera's file time (ns since 1970) and size when it was copied: a later visit that
    -- finds other values raises an alarm.
    source_mtime_ns INTEGER NOT NULL,
    seq           INTEGER NOT NULL,
    file          TEXT NOT NULL,
    size_bytes    INTEGER NOT NULL,
    sha256        TEXT NOT NULL CHECK (length(sha256) = 64),
    link          TEXT NOT NULL,
    start_ns      INTEGER NOT NULL,
    duration_ns   INTEGER NOT NULL,
    started_at    TEXT,
    started_from  TEXT NOT NULL CHECK (started_from IN ('name', 'media', 'file')),
    codecs        TEXT NOT NULL DEFAULT '',
    -- SHA-256 of the copy on the site's backup disk as read back (主备双份); NULL without one,
    -- or when that copy failed (an alarm, never a stopped collection).
    backup_sha256 TEXT,
    width         INTEGER,
    height        INTEGER,
    collected_at  TEXT NOT NULL,
    case_id       INTEGER REFERENCES cases(id),
    important     INTEGER NOT NULL DEFAULT 0,
    note          TEXT NOT NULL DEFAULT '',
    linked_by     TEXT,
    linked_at     TEXT,
    removed_at    TEXT,
    removed_by    TEXT,
    removed_because TEXT,
    -- When the station deleted the camera's own file after verifying this copy: a file of the
    -- same name on a later visit is then a new recording, not a changed one.
    source_cleared_at TEXT,
    UNIQUE (batch_id, seq)
);
CREATE INDEX field_files_by_source ON field_files (device_serial, source_path);
CREATE INDEX field_files_by_case ON field_files (case_id);

CREATE TRIGGER field_files_content_is_kept BEFORE UPDATE ON field_files
WHEN NEW.sha256 IS NOT OLD.sha256 OR NEW.size_bytes IS NOT OLD.size_bytes
     OR NEW.link IS NOT OLD.link OR NEW.file IS NOT OLD.file OR NEW.batch_id IS NOT OLD.batch_id
     OR NEW.agency_id IS NOT OLD.agency_id OR NEW.officer_id IS NOT OLD.officer_id
     OR NEW.source_path IS NOT OLD.source_path OR OLD.removed_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a collected file''s content, place and owner never change, nor does a removed one'); END;
CREATE TRIGGER field_files_are_not_deleted BEFORE DELETE ON field_files
BEGIN SELECT RAISE(ABORT, 'a collected file''s record is kept, even once its media is removed'); END;

-- A file that changed on the camera after it was collected.
CREATE TABLE field_alarms (
    id            INTEGER PRIMARY KEY,
    agency_id     TEXT NOT NULL REFERENCES agencies(id),
    device_serial TEXT NOT NULL REFERENCES field_devices(serial),
    batch_id      INTEGER REFERENCES field_batches(id),
    source_path   TEXT NOT NULL,
    detail        TEXT NOT NULL,
    raised_at     TEXT NOT NULL
);

-- A request for access names a room session or a collected file: the table is rebuilt with
-- session_id optional beside footage_id, exactly one of them set.
CREATE TABLE access_requests_v17 (
    id            INTEGER PRIMARY KEY,
    session_id    INTEGER REFERENCES sessions(id),
    footage_id    INTEGER REFERENCES field_files(id),
    agency_id     TEXT NOT NULL REFERENCES agencies(id),
    requested_by  TEXT NOT NULL,
    action        TEXT NOT NULL CHECK (action IN ('view', 'export')),
    purpose       TEXT NOT NULL,
    requested_at  TEXT NOT NULL,
    decided_by    TEXT,
    decided_at    TEXT,
    approved      INTEGER,
    note          TEXT NOT NULL DEFAULT '',
    CHECK ((session_id IS NULL) <> (footage_id IS NULL))
);
INSERT INTO access_requests_v17 (id, session_id, agency_id, requested_by, action, purpose,
                                 requested_at, decided_by, decided_at, approved, note)
SELECT id, session_id, agency_id, requested_by, action, purpose, requested_at, decided_by,
       decided_at, approved, note
FROM access_requests;
DROP TABLE access_requests;
ALTER TABLE access_requests_v17 RENAME TO access_requests;
CREATE INDEX access_requests_by_session ON access_requests (session_id, requested_by, action);
CREATE INDEX access_requests_by_footage ON access_requests (footage_id, requested_by, action);
CREATE TRIGGER access_requests_decided_once BEFORE UPDATE ON access_requests
WHEN OLD.decided_at IS NOT NULL
     OR NEW.session_id IS NOT OLD.session_id OR NEW.footage_id IS NOT OLD.footage_id
     OR NEW.requested_by IS NOT OLD.requested_by
     OR NEW.action IS NOT OLD.action OR NEW.purpose IS NOT OLD.purpose
BEGIN SELECT RAISE(ABORT, 'an access request is decided once and its request is kept as made'); END;
CREATE TRIGGER access_requests_are_kept BEFORE DELETE ON access_requests
BEGIN SELECT RAISE(ABORT, 'an access request cannot be deleted'); END;
