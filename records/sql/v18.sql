-- Schema version 18: a counter's call changes few index entries and builds no temporary
-- tables; a call by number finds its ticket at once.
--
-- Every call and no-show changes a ticket's state, and each index on tickets that holds the
-- state changed with it: four of them on every step. Partial indexes hold only the tickets in
-- the state they serve, so a step changes only the indexes of the states it leaves or enters
-- (a call: leaves the waiting ones, enters the current one; a no-show: leaves the current and
-- the open ones).
--
-- The lookups of a window's current ticket and of the tickets left open said `state IN (…)`;
-- SQLite seeks each listed state through a temporary table that it builds on every run (with
-- the other such lists, a quarter of a call's work under callgrind). A partial index whose
-- condition the query repeats needs no such table. Conditions here are single comparisons or
-- a list of two: SQLite also builds a temporary table for a longer list on every write that
-- checks whether a row belongs in the index.
--
-- tickets_queue has been read by nothing since version 15. A call by number looked among all
-- of the day's tickets.

DROP INDEX tickets_queue;
DROP INDEX tickets_at_window;
DROP INDEX tickets_open;
DROP INDEX tickets_next;
DROP INDEX tickets_waiting;
DROP INDEX tickets_by_service;

-- The next ticket to call: today's waiting ones, priority ones first, each the oldest first.
CREATE INDEX tickets_next ON tickets (day, call_rank, id) WHERE state = 'waiting';
-- The people ahead of a waiting ticket, in its service's queue.
CREATE INDEX tickets_waiting ON tickets (day, service_id, call_rank, id) WHERE state = 'waiting';
-- The ticket a window has called or is serving (one at most).
CREATE INDEX tickets_current ON tickets (window_id) WHERE state IN ('called', 'serving');
-- Tickets a window has set aside (挂起), called again by number.
CREATE INDEX tickets_held ON tickets (window_id, day) WHERE state = 'held';
-- Tickets still open, to close them once their day has passed.
CREATE INDEX tickets_open ON tickets (day)
    WHERE state <> 'done' AND state <> 'no_show' AND state <> 'closed';
-- Today's finished services of one service, the latest first, for the wait estimate.
CREATE INDEX tickets_done ON tickets (day, service_id, id) WHERE state = 'done';

CREATE INDEX tickets_by_number ON tickets (day, number);
