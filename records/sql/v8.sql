-- Schema version 8: the ticket called or served at a window is found by index; every counter
-- action and every hall screen asks for it.
CREATE INDEX tickets_at_window ON tickets (window_id, state);
