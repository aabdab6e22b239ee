-- A case merged into another as a duplicate of the same claim. `case_merges` records the
-- act (which case it went into, the note, who, when) and is kept for good, like closures.
-- `cases.merged_into` is where the case's reports are counted and answered now: it always
-- names a case that is not itself merged, so when the receiving case is merged in its turn
-- the pointers of the cases it had received move on with it. Reports stay as received
-- (they are immutable); they are joined through their case's pointer.
CREATE TABLE case_merges (
    case_id BIGINT PRIMARY KEY REFERENCES cases(id),
    into_case BIGINT NOT NULL REFERENCES cases(id),
    note TEXT,
    merged_by TEXT NOT NULL,
    merged_at TEXT NOT NULL,
    CHECK (case_id <> into_case)
);
CREATE INDEX case_merges_into ON case_merges(into_case);
ALTER TABLE cases ADD COLUMN merged_into BIGINT REFERENCES cases(id);
CREATE INDEX cases_merged_into ON cases(merged_into);
