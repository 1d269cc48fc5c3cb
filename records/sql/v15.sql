-- Schema version 15: the next ticket to call is the first entry of one index.
--
-- A window calls priority tickets (elderly, disabled, appointment) first, then ordinary ones,
-- each the oldest first. Asked as two queries with `priority IN (…)`, SQLite walked every
-- waiting ticket looking for a priority one whenever there was none (the usual case): with
-- thousands waiting, that walk was most of a call's time. Ranked by this column, the first
-- entry of the index under (day, 'waiting') that the window may call is the answer.

ALTER TABLE tickets ADD COLUMN call_rank INTEGER
    GENERATED ALWAYS AS (CASE WHEN priority = 'ordinary' THEN 1 ELSE 0 END) VIRTUAL;

CREATE INDEX tickets_next ON tickets (day, state, call_rank, id);

-- A token may be the justice bureau's supervisor's (site-wide, read-only): the role's CHECK
-- changes, which SQLite does by building the table anew.
CREATE TABLE api_tokens_v15 (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    token_sha256 TEXT NOT NULL UNIQUE,
    -- kiosk: public screens (rooms, no sessions); clerk: the sessions of its agency;
    -- admin: site-wide administration; supervisor: reads every agency's lists, changes nothing.
    role         TEXT NOT NULL CHECK (role IN ('kiosk', 'clerk', 'admin', 'supervisor')),
    -- Clerks act for exactly one agency; the other roles for none.
    agency_id    TEXT REFERENCES agencies(id),
    created_at   TEXT NOT NULL,
    revoked_at   TEXT,
    staff_id     TEXT REFERENCES staff(id),
    CHECK ((role = 'clerk') = (agency_id IS NOT NULL))
);
INSERT INTO api_tokens_v15 (id, name, token_sha256, role, agency_id, created_at, revoked_at, staff_id)
SELECT id, name, token_sha256, role, agency_id, created_at, revoked_at, staff_id FROM api_tokens;
DROP TABLE api_tokens;
ALTER TABLE api_tokens_v15 RENAME TO api_tokens;

-- The hall's history is read a page at a time, a day's tickets in issue order.
CREATE INDEX tickets_by_day ON tickets (day, id);

-- 送审: a case submitted for legal review with its materials, and the day the review is due
-- (the agency's limit in working days). Returned for more materials (补充材料), the clock
-- stops: the working days left are kept, and counted again from the day the materials come.
CREATE TABLE review_submissions (
    id               INTEGER PRIMARY KEY,
    case_id          INTEGER NOT NULL REFERENCES cases(id),
    submitted_by     TEXT NOT NULL,
    submitted_on     TEXT NOT NULL,
    -- JSON list of the documents submitted.
    materials        TEXT NOT NULL,
    working_days     INTEGER NOT NULL CHECK (working_days > 0),
    due_on           TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('waiting', 'returned', 'reviewed')),
    returned_on      TEXT,
    returned_because TEXT,
    days_left        INTEGER,
    review_id        INTEGER REFERENCES legal_reviews(id)
);
CREATE INDEX review_submissions_by_case ON review_submissions (case_id, id);
CREATE INDEX review_submissions_open ON review_submissions (state, due_on);

-- Outside legal counsel and public lawyers (法律顾问、公职律师) review too, registered as staff
-- with a role of their own: the reviewer ratio (at least 5 %) counts the agency's own
-- reviewers only, as the rules do. The role's CHECK changes, so the table is built anew.
CREATE TABLE staff_v15 (
    id                TEXT PRIMARY KEY,
    agency_id         TEXT NOT NULL REFERENCES agencies(id),
    name              TEXT NOT NULL,
    -- 行政执法证件号 (for counsel, their practising certificate's number), unique across the site.
    credential_number TEXT NOT NULL UNIQUE,
    -- Enforcement categories (执法类别), a JSON array of strings.
    categories        TEXT NOT NULL DEFAULT '[]',
    role              TEXT NOT NULL
                      CHECK (role IN ('clerk', 'facilities', 'reviewer', 'counsel', 'head', 'admin')),
    photo             BLOB,
    photo_type        TEXT,
    active            INTEGER NOT NULL DEFAULT 1,
    created_at        TEXT NOT NULL,
    CHECK ((photo IS NULL) = (photo_type IS NULL))
);
INSERT INTO staff_v15 (id, agency_id, name, credential_number, categories, role, photo,
                       photo_type, active, created_at)
SELECT id, agency_id, name, credential_number, categories, role, photo, photo_type, active,
       created_at
FROM staff;
DROP TABLE staff;
ALTER TABLE staff_v15 RENAME TO staff;

-- The review opinion (法制审核意见书) is a numbered document: per agency and year, from 1, with
-- no gaps (reviews are never deleted). Reviews recorded before get their numbers in order.
ALTER TABLE legal_reviews ADD COLUMN opinion_agency_id TEXT REFERENCES agencies(id);
ALTER TABLE legal_reviews ADD COLUMN opinion_year INTEGER;
ALTER TABLE legal_reviews ADD COLUMN opinion_seq INTEGER;
DROP TRIGGER legal_reviews_are_kept;
UPDATE legal_reviews SET
    opinion_agency_id = (SELECT agency_id FROM cases WHERE cases.id = legal_reviews.case_id),
    opinion_year = CAST(substr(at, 1, 4) AS INTEGER);
UPDATE legal_reviews SET opinion_seq = (
    SELECT count(*) FROM legal_reviews earlier
    WHERE earlier.opinion_agency_id = legal_reviews.opinion_agency_id
      AND earlier.opinion_year = legal_reviews.opinion_year
      AND earlier.id <= legal_reviews.id);
CREATE TRIGGER legal_reviews_are_kept BEFORE UPDATE ON legal_reviews
BEGIN SELECT RAISE(ABORT, 'a legal review cannot be changed; record a new one'); END;
CREATE UNIQUE INDEX legal_reviews_by_opinion_number
    ON legal_reviews (opinion_agency_id, opinion_year, opinion_seq);

-- The reasons a decision gives (说明理由): the evidence accepted and why, the legal basis
-- chosen, the discretion applied. A major case's decision states the first two.
ALTER TABLE decisions ADD COLUMN reason_evidence TEXT NOT NULL DEFAULT '';
ALTER TABLE decisions ADD COLUMN reason_legal_basis TEXT NOT NULL DEFAULT '';
ALTER TABLE decisions ADD COLUMN reason_discretion TEXT NOT NULL DEFAULT '';

-- The agency head's approval (负责人审批) of a major case's decision, after the review that
-- passed and before the decision: signed by the head with their own token, and kept.
CREATE TABLE decision_approvals (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    -- The passed review it follows; a newer review needs a new approval.
    review_id    INTEGER NOT NULL REFERENCES legal_reviews(id),
    approved_by  TEXT NOT NULL REFERENCES staff(id),
    note         TEXT NOT NULL DEFAULT '',
    at           TEXT NOT NULL
);
CREATE INDEX decision_approvals_by_case ON decision_approvals (case_id, id);
CREATE TRIGGER decision_approvals_are_kept BEFORE UPDATE ON decision_approvals
BEGIN SELECT RAISE(ABORT, 'an approval cannot be changed'); END;
CREATE TRIGGER decision_approvals_are_not_deleted BEFORE DELETE ON decision_approvals
BEGIN SELECT RAISE(ABORT, 'an approval cannot be deleted'); END;

-- Collective discussion (集体讨论) of a decision: the law asks the agency's heads to decide
-- together on complex or serious cases (《行政处罚法》第五十七条): here, a case flagged for
-- complex facts or a large amount. Kept as recorded.
CREATE TABLE collective_discussions (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    held_on      TEXT NOT NULL,
    -- JSON list of the participants' names.
    participants TEXT NOT NULL,
    outcome      TEXT NOT NULL,
    minutes      TEXT NOT NULL DEFAULT '',
    recorded_by  TEXT NOT NULL,
    at           TEXT NOT NULL
);
CREATE INDEX collective_discussions_by_case ON collective_discussions (case_id, id);
CREATE TRIGGER collective_discussions_are_kept BEFORE UPDATE ON collective_discussions
BEGIN SELECT RAISE(ABORT, 'a collective discussion cannot be changed; record a new one'); END;
CREATE TRIGGER collective_discussions_are_not_deleted BEFORE DELETE ON collective_discussions
BEGIN SELECT RAISE(ABORT, 'a collective discussion cannot be deleted'); END;
