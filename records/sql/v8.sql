-- Schema version 8: what every counter action and hall screen asks, answered from indexes: the
-- ticket called or served at a window, and how many wait for a service (or were transferred
-- to a window) today.
CREATE INDEX tickets_at_window ON tickets (window_id, state);
CREATE INDEX tickets_waiting ON tickets (day, service_id, state, window_id);
