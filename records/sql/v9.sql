-- Schema version 9: legal review of major enforcement decisions (重大执法决定法制审核).

-- Each agency's catalogue of major decisions (重大执法决定目录): the kinds of decision that are
-- major by their kind, e.g. "吊销许可证" or "较大数额罚款".
CREATE TABLE major_catalogue (
    agency_id   TEXT NOT NULL REFERENCES agencies(id),
    kind        TEXT NOT NULL,
    PRIMARY KEY (agency_id, kind)
);

-- What makes a case major besides its kind.
ALTER TABLE cases ADD COLUMN decision_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN handler_id TEXT REFERENCES staff(id);
ALTER TABLE cases ADD COLUMN hearing_held INTEGER NOT NULL DEFAULT 0;
-- Flags set by the handling unit: large amounts, complex facts, referral to judicial or
-- supervisory bodies (a JSON array of those words).
ALTER TABLE cases ADD COLUMN major_flags TEXT NOT NULL DEFAULT '[]';

-- Every review, kept: a case returned for correction is reviewed again.
CREATE TABLE legal_reviews (
    id            INTEGER PRIMARY KEY,
    case_id       INTEGER NOT NULL REFERENCES cases(id),
    reviewer_id   TEXT NOT NULL REFERENCES staff(id),
    -- The checklist, as JSON: each item with whether it holds and a note.
    checklist     TEXT NOT NULL,
    outcome       TEXT NOT NULL CHECK (outcome IN ('pass', 'return', 'fail')),
    opinion       TEXT NOT NULL,
    -- A disagreement between reviewer and handling unit, and how it was settled.
    disagreement  TEXT NOT NULL DEFAULT '',
    settled       TEXT NOT NULL DEFAULT '',
    at            TEXT NOT NULL
);
CREATE TRIGGER legal_reviews_are_kept BEFORE UPDATE ON legal_reviews
BEGIN SELECT RAISE(ABORT, 'a legal review cannot be changed; record a new one'); END;
CREATE TRIGGER legal_reviews_are_not_deleted BEFORE DELETE ON legal_reviews
BEGIN SELECT RAISE(ABORT, 'a legal review cannot be deleted'); END;

-- The decision of a case, recorded once.
CREATE TABLE decisions (
    case_id          INTEGER PRIMARY KEY REFERENCES cases(id),
    document_number  TEXT NOT NULL,
    conclusion       TEXT NOT NULL,
    decided_on       TEXT NOT NULL,
    recorded_by      TEXT NOT NULL,
    recorded_at      TEXT NOT NULL
);
