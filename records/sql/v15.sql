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

-- The hall's history is read a page at a time, a day's tickets in issue order.
CREATE INDEX tickets_by_day ON tickets (day, id);
