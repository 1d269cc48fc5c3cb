-- Schema version 3: bookings of the shared rooms.

CREATE TABLE bookings (
    id         INTEGER PRIMARY KEY,
    room_id    TEXT NOT NULL REFERENCES rooms(id),
    agency_id  TEXT NOT NULL REFERENCES agencies(id),
    case_id    INTEGER NOT NULL REFERENCES cases(id),
    -- RFC 3339 UTC times; the span is [starts_at, ends_at).
    starts_at  TEXT NOT NULL,
    ends_at    TEXT NOT NULL,
    booked_by  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK (ends_at > starts_at)
);

CREATE INDEX bookings_by_room ON bookings(room_id, starts_at);
