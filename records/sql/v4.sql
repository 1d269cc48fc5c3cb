-- Schema version 4: the site's enforcement staff, and who started each session.

-- Staff belong to one agency. Name, photo, credential number and categories are what the law
-- has shown to the public at windows (行政执法人员信息公示); nothing else about a person is kept.
CREATE TABLE staff (
    id                TEXT PRIMARY KEY,
    agency_id         TEXT NOT NULL REFERENCES agencies(id),
    name              TEXT NOT NULL,
    -- 行政执法证件号, unique across the site.
    credential_number TEXT NOT NULL UNIQUE,
    -- Enforcement categories (执法类别), a JSON array of strings.
    categories        TEXT NOT NULL DEFAULT '[]',
    role              TEXT NOT NULL CHECK (role IN ('clerk', 'facilities', 'reviewer', 'admin')),
    photo             BLOB,
    photo_type        TEXT,
    active            INTEGER NOT NULL DEFAULT 1,
    created_at        TEXT NOT NULL,
    CHECK ((photo IS NULL) = (photo_type IS NULL))
);

-- A token may stand for a staff member: what it does is then done by that person.
ALTER TABLE api_tokens ADD COLUMN staff_id TEXT REFERENCES staff(id);

-- Who started the session (a staff member's name and credential, or the token's name).
ALTER TABLE sessions ADD COLUMN started_by TEXT NOT NULL DEFAULT '';

-- What kind of enforcement action a case is, and its party (当事人): the case file needs both; the
-- party is never shown on public screens.
ALTER TABLE cases ADD COLUMN action_type TEXT NOT NULL DEFAULT 'other'
    CHECK (action_type IN ('licensing', 'penalty', 'coercion', 'inspection', 'levy', 'other'));
ALTER TABLE cases ADD COLUMN party TEXT NOT NULL DEFAULT '';
