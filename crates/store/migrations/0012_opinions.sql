-- Opinions of the agencies a case consults (kc_desk::consult), kept as given: which
-- agency, what it said, who gave it and when. An agency may give several over a case's
-- life; the case page shows them all, oldest first.
CREATE TABLE case_opinions (
    id @ID@,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    agency TEXT NOT NULL,
    opinion TEXT NOT NULL,
    given_by TEXT NOT NULL,
    given_at TEXT NOT NULL
);
CREATE INDEX case_opinions_case ON case_opinions(case_id);
