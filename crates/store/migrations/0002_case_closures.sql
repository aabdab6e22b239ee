-- How a case ended when it was not by publishing its own verdict: closed for a reason
-- (spam, out_of_scope, no_action), or answered with a fact-check already published. One
-- row per case, kept for good (a trigger per backend forbids changing it); the case row's
-- state says which it is.
CREATE TABLE case_closures (
    case_id BIGINT PRIMARY KEY REFERENCES cases(id),
    reason TEXT,
    publication_id BIGINT REFERENCES publications(id),
    note TEXT,
    closed_by TEXT NOT NULL,
    closed_at TEXT NOT NULL,
    CHECK ((reason IS NULL) <> (publication_id IS NULL))
);
CREATE INDEX case_closures_publication ON case_closures(publication_id);
