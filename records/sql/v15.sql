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
