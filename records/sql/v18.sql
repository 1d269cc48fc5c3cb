-- Schema version 18: a counter's call moves fewer index entries and builds no temporary
-- tables; a call by number finds its ticket at once.
--
-- Every call and no-show changes a ticket's state, and each index on tickets holding the state
-- changes with it. tickets_queue has been read by nothing since version 15 ranked the queue by
-- tickets_next. A window's current ticket was looked up as `window_id = ? AND state IN
-- ('called', 'serving')` on (window_id, state): SQLite seeks each listed state through a
-- temporary table that it builds on every run (with the other such lists, a quarter of a
-- call's work under callgrind). A partial index holding only those tickets answers with one
-- seek. Its condition has two terms on purpose: SQLite tests a list of up to two constants
-- directly, and builds a temporary table for a longer one, also on every write that checks
-- whether a row belongs in the index. A call by number looked among all of the day's tickets.

DROP INDEX tickets_queue;
DROP INDEX tickets_at_window;

-- The ticket a window has called or is serving (one at most). Queries say the same
-- `state IN ('called', 'serving')`, so that SQLite knows the index answers them.
CREATE INDEX tickets_current ON tickets (window_id) WHERE state IN ('called', 'serving');
-- Tickets a window has set aside (挂起), called again by number.
CREATE INDEX tickets_held ON tickets (window_id, day) WHERE state = 'held';

CREATE INDEX tickets_by_number ON tickets (day, number);
