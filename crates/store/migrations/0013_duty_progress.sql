-- Progress on the directive's duties (kc_desk::duty): what an agency did under a duty of
-- the pack, over the days it covers. Kept as recorded: a mistake is put right by a new
-- entry naming the one it corrects (`corrects`), at most one correction per entry. Links
-- are a JSON list of public URLs; `quantity` and `unit` go together or not at all.
CREATE TABLE duty_progress (
    id @ID@,
    duty TEXT NOT NULL,
    agency TEXT NOT NULL,
    covers_from TEXT NOT NULL,
    covers_to TEXT NOT NULL,
    summary TEXT NOT NULL,
    quantity BIGINT,
    unit TEXT,
    links TEXT NOT NULL,
    corrects BIGINT REFERENCES duty_progress(id),
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX duty_progress_agency ON duty_progress(agency, duty);
CREATE UNIQUE INDEX duty_progress_corrects ON duty_progress(corrects);
