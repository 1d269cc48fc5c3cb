-- Schema version 16: the case file in full — its documents as files, its steps as text records,
-- and decisions made without the recording the agency's list requires.

-- A case's documents (附件): PDF, JPEG or DOCX, kept content-addressed beside the media (the
-- evidence crate writes, fsyncs and reads them back); the row holds the hash the copy is
-- checked against on every download. Never changed, never deleted.
CREATE TABLE attachments (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('pdf', 'jpeg', 'docx')),
    size_bytes  INTEGER NOT NULL CHECK (size_bytes > 0),
    sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
    added_by    TEXT NOT NULL,
    added_at    TEXT NOT NULL
);
CREATE INDEX attachments_by_case ON attachments (case_id, id);
CREATE TRIGGER attachments_are_kept BEFORE UPDATE ON attachments
BEGIN SELECT RAISE(ABORT, 'an attachment cannot be changed; add the new version'); END;
CREATE TRIGGER attachments_are_not_deleted BEFORE DELETE ON attachments
BEGIN SELECT RAISE(ABORT, 'an attachment cannot be deleted'); END;

-- The case's steps as text records (文字记录).
CREATE TABLE case_steps (
    id                 INTEGER PRIMARY KEY,
    case_id            INTEGER NOT NULL REFERENCES cases(id),
    kind               TEXT NOT NULL CHECK (kind IN ('filed', 'investigation', 'notification',
                                                     'hearing', 'decision', 'delivery', 'execution')),
    happened_on        TEXT NOT NULL,
    document_number    TEXT NOT NULL DEFAULT '',
    detail             TEXT NOT NULL DEFAULT '',
    party_told_on      TEXT CHECK ((kind = 'notification') = (party_told_on IS NOT NULL)),
    session_id         INTEGER REFERENCES sessions(id)
                       CHECK (kind = 'hearing' OR session_id IS NULL),
    delivery_method    TEXT CHECK ((kind = 'delivery') = (delivery_method IS NOT NULL)),
    unrecorded_because TEXT,
    attachment_id      INTEGER REFERENCES attachments(id),
    recorded_by        TEXT NOT NULL,
    recorded_at        TEXT NOT NULL
);
CREATE INDEX case_steps_by_case ON case_steps (case_id, happened_on, id);
CREATE TRIGGER case_steps_are_kept BEFORE UPDATE ON case_steps
BEGIN SELECT RAISE(ABORT, 'a step of a case cannot be changed; record a correcting step'); END;
CREATE TRIGGER case_steps_are_not_deleted BEFORE DELETE ON case_steps
BEGIN SELECT RAISE(ABORT, 'a step of a case cannot be deleted'); END;

-- A decision on a case the recording list (音像记录事项清单) names, made with nothing recorded:
-- the reason is kept with it and shown to the supervisor.
ALTER TABLE decisions ADD COLUMN unrecorded_because TEXT;

-- The files submitted for review with the materials, and the discussion's signed minutes.
ALTER TABLE review_submissions ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]';
ALTER TABLE collective_discussions ADD COLUMN minutes_attachment_id INTEGER REFERENCES attachments(id);

-- The catalogue marks the kinds of decision that need a collective discussion too (集体讨论).
ALTER TABLE major_catalogue ADD COLUMN needs_discussion INTEGER NOT NULL DEFAULT 0;

-- The lookup code printed on a decision (查询码): with its document number, the party looks up
-- where its publication stands on the public website.
ALTER TABLE decisions ADD COLUMN lookup_code TEXT;
CREATE INDEX decisions_by_document ON decisions (document_number);

-- The exchange's outbox: each document for the province's platform, written in the same
-- transaction as the step it reports, delivered in `seq` order until acknowledged.
CREATE TABLE exchange_outbox (
    seq          INTEGER PRIMARY KEY,
    document_id  TEXT NOT NULL UNIQUE,
    body         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    delivered_at TEXT
);
CREATE INDEX exchange_outbox_pending ON exchange_outbox (delivered_at, seq);

-- An agency's publicity changed through the API by its publicity reviewer: every version kept,
-- the latest in force (over the site file's) without a restart.
CREATE TABLE publicity_versions (
    agency_id   TEXT NOT NULL REFERENCES agencies(id),
    version     INTEGER NOT NULL CHECK (version > 0),
    body        TEXT NOT NULL,
    changed_by  TEXT NOT NULL,
    changed_at  TEXT NOT NULL,
    PRIMARY KEY (agency_id, version)
);
CREATE TRIGGER publicity_versions_are_kept BEFORE UPDATE ON publicity_versions
BEGIN SELECT RAISE(ABORT, 'a publicity version cannot be changed; add a new one'); END;
CREATE TRIGGER publicity_versions_are_not_deleted BEFORE DELETE ON publicity_versions
BEGIN SELECT RAISE(ABORT, 'a publicity version cannot be deleted'); END;

-- Administrative inspections (行政检查) with their results, published in batches per period
-- (a month or a quarter, as the agency batched them when each was recorded).
CREATE TABLE inspections (
    id           INTEGER PRIMARY KEY,
    agency_id    TEXT NOT NULL REFERENCES agencies(id),
    subject      TEXT NOT NULL,
    item         TEXT NOT NULL,
    done_on      TEXT NOT NULL,
    result       TEXT NOT NULL,
    period       TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    published_on TEXT
);
CREATE INDEX inspections_by_period ON inspections (agency_id, period, published_on);
