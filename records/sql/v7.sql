-- Schema version 7: the service hall's queue (取号叫号) and its ratings (好差评).

-- A business item the public takes a number for. Its tickets are numbered per day with its
-- prefix (A001, A002 …).
CREATE TABLE services (
    id         TEXT PRIMARY KEY,
    agency_id  TEXT NOT NULL REFERENCES agencies(id),
    name       TEXT NOT NULL,
    prefix     TEXT NOT NULL UNIQUE,
    -- Tickets issued per day at most; NULL for no cap.
    daily_cap  INTEGER CHECK (daily_cap IS NULL OR daily_cap > 0),
    -- Issuing hours, local time 'HH:MM'.
    opens      TEXT NOT NULL,
    closes     TEXT NOT NULL
);

-- A counter. The staff member on duty signs in at its counter screen.
CREATE TABLE windows (
    id        TEXT PRIMARY KEY,
    number    INTEGER NOT NULL UNIQUE,
    name      TEXT NOT NULL,
    staff_id  TEXT REFERENCES staff(id),
    paused    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE window_services (
    window_id  TEXT NOT NULL REFERENCES windows(id),
    service_id TEXT NOT NULL REFERENCES services(id),
    PRIMARY KEY (window_id, service_id)
);

CREATE TABLE tickets (
    id          INTEGER PRIMARY KEY,
    -- The local day it was issued on, 'YYYY-MM-DD'; numbers restart each day.
    day         TEXT NOT NULL,
    service_id  TEXT NOT NULL REFERENCES services(id),
    seq         INTEGER NOT NULL,
    number      TEXT NOT NULL,
    priority    TEXT NOT NULL CHECK (priority IN ('ordinary', 'elderly', 'disabled', 'appointment')),
    state       TEXT NOT NULL CHECK (state IN ('waiting', 'called', 'serving', 'held', 'done', 'no_show', 'closed')),
    -- Set while called or served there; on a waiting ticket, the only window that may call it
    -- (a transfer to a window).
    window_id   TEXT REFERENCES windows(id),
    staff_id    TEXT REFERENCES staff(id),
    calls       INTEGER NOT NULL DEFAULT 0,
    issued_at   TEXT NOT NULL,
    called_at   TEXT,
    started_at  TEXT,
    ended_at    TEXT,
    UNIQUE (day, service_id, seq)
);
-- The next ticket to call: today's waiting ones, by priority and age.
CREATE INDEX tickets_queue ON tickets (day, state, priority, id);
-- Tickets still open, to close them once their day has passed.
CREATE INDEX tickets_open ON tickets (state, day);
-- Today's finished services of one service, for the wait estimate.
CREATE INDEX tickets_by_service ON tickets (day, service_id, state);

-- Every step of a ticket, never changed afterwards.
CREATE TABLE ticket_events (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id),
    at         TEXT NOT NULL,
    action     TEXT NOT NULL,
    window_id  TEXT,
    staff_id   TEXT,
    detail     TEXT NOT NULL DEFAULT ''
);
CREATE TRIGGER ticket_events_are_kept BEFORE UPDATE ON ticket_events
BEGIN SELECT RAISE(ABORT, 'ticket history cannot be changed'); END;
CREATE TRIGGER ticket_events_are_not_deleted BEFORE DELETE ON ticket_events
BEGIN SELECT RAISE(ABORT, 'ticket history cannot be deleted'); END;

-- 政务服务"好差评": one rating per service (一次一评), 5 = 非常满意 … 1 = 非常不满意.
CREATE TABLE ratings (
    ticket_id  INTEGER PRIMARY KEY REFERENCES tickets(id),
    level      INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    window_id  TEXT,
    staff_id   TEXT,
    comment    TEXT NOT NULL DEFAULT '',
    at         TEXT NOT NULL
);

-- A bad rating (不满意, 非常不满意) is followed up: contact, rectification, outcome.
CREATE TABLE follow_ups (
    id             INTEGER PRIMARY KEY,
    ticket_id      INTEGER NOT NULL UNIQUE REFERENCES ratings(ticket_id),
    opened_at      TEXT NOT NULL,
    contact        TEXT NOT NULL DEFAULT '',
    rectification  TEXT NOT NULL DEFAULT '',
    outcome        TEXT NOT NULL DEFAULT '',
    closed_at      TEXT
);
