-- Schema version 14: the hall's waiting counts kept as they change, not counted each time.
--
-- A counter's answer and the hall board show how many wait for each service and window. With
-- thousands waiting, counting them (an index walk over every waiting ticket) on every call was
-- most of a call's time; these counts are kept by the triggers below, in the same transaction
-- as the ticket's change, so they cannot drift from the tickets.

CREATE TABLE waiting_counts (
    day         TEXT NOT NULL,
    service_id  TEXT NOT NULL,
    -- '' for tickets any window serving the service may call; else the window a ticket was
    -- transferred to.
    window_id   TEXT NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (day, service_id, window_id)
) WITHOUT ROWID;

INSERT INTO waiting_counts (day, service_id, window_id, n)
SELECT day, service_id, coalesce(window_id, ''), count(*)
FROM tickets WHERE state = 'waiting'
GROUP BY day, service_id, coalesce(window_id, '');

CREATE TRIGGER waiting_counts_issued AFTER INSERT ON tickets WHEN NEW.state = 'waiting'
BEGIN
    INSERT INTO waiting_counts (day, service_id, window_id, n)
    VALUES (NEW.day, NEW.service_id, coalesce(NEW.window_id, ''), 1)
    ON CONFLICT (day, service_id, window_id) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER waiting_counts_left AFTER UPDATE OF state, window_id, service_id, day ON tickets
WHEN OLD.state = 'waiting'
BEGIN
    UPDATE waiting_counts SET n = n - 1
    WHERE day = OLD.day AND service_id = OLD.service_id AND window_id = coalesce(OLD.window_id, '');
END;

CREATE TRIGGER waiting_counts_joined AFTER UPDATE OF state, window_id, service_id, day ON tickets
WHEN NEW.state = 'waiting'
BEGIN
    INSERT INTO waiting_counts (day, service_id, window_id, n)
    VALUES (NEW.day, NEW.service_id, coalesce(NEW.window_id, ''), 1)
    ON CONFLICT (day, service_id, window_id) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER waiting_counts_deleted AFTER DELETE ON tickets WHEN OLD.state = 'waiting'
BEGIN
    UPDATE waiting_counts SET n = n - 1
    WHERE day = OLD.day AND service_id = OLD.service_id AND window_id = coalesce(OLD.window_id, '');
END;
