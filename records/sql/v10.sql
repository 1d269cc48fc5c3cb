-- Schema version 10: publication of enforcement decisions (行政执法事后公示).

-- Who the party is and how confidential the case is: what may be published depends on both.
ALTER TABLE cases ADD COLUMN party_kind TEXT NOT NULL DEFAULT 'person'
    CHECK (party_kind IN ('person', 'organisation'));
ALTER TABLE cases ADD COLUMN party_is_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN confidentiality TEXT NOT NULL DEFAULT 'public'
    CHECK (confidentiality IN ('public', 'internal', 'trade_secret', 'personal_privacy', 'state_secret'));
-- Trade secrets and personal privacy may be published once redacted and marked lawful to.
ALTER TABLE cases ADD COLUMN publishable_after_redaction INTEGER NOT NULL DEFAULT 0;

-- One entry per decision: what the public sees, when it is due, and what became of it.
CREATE TABLE publications (
    case_id          INTEGER PRIMARY KEY REFERENCES decisions(case_id),
    agency_id        TEXT NOT NULL REFERENCES agencies(id),
    -- As shown: a person's name masked (张某某), an organisation's in full.
    party_shown      TEXT NOT NULL,
    action_type      TEXT NOT NULL,
    document_number  TEXT NOT NULL,
    conclusion       TEXT NOT NULL,
    decided_on       TEXT NOT NULL,
    due_on           TEXT NOT NULL,
    -- Why it is never published (a minor, a state secret, …); NULL when it is to be.
    withheld_because TEXT,
    published_on     TEXT,
    -- A revoked or changed decision is withdrawn the same day, at the latest by withdraw_due.
    revoked_on       TEXT,
    withdraw_due     TEXT,
    withdrawn_on     TEXT
);
CREATE INDEX publications_by_agency ON publications (agency_id, due_on);
