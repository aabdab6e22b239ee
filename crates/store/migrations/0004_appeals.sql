-- Appeals (khiếu nại) against a published decision. The filer has no account: the row holds
-- how they relate to the content (a closed list), never who they are. The decision appealed
-- is not touched; the outcome is recorded here and shown beside it.
CREATE TABLE appeals (
    id @ID@,
    receipt TEXT NOT NULL UNIQUE,
    publication_id BIGINT NOT NULL REFERENCES publications(id),
    relation TEXT NOT NULL,
    reasons TEXT NOT NULL,
    status TEXT NOT NULL,
    filed_at TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT,
    outcome_reasons TEXT
);
CREATE INDEX appeals_publication ON appeals(publication_id);
CREATE INDEX appeals_status ON appeals(status);

-- Kept apart, as report contacts are, so it can be purged on schedule and never reaches a
-- public page or the audit log.
CREATE TABLE appeal_contacts (
    appeal_id BIGINT PRIMARY KEY REFERENCES appeals(id),
    contact TEXT NOT NULL,
    purge_after TEXT NOT NULL
);
