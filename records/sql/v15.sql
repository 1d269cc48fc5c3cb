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
