-- A published verdict checked again by a reviewer and found to still hold: what was checked
-- (`note`), who and when. The pack's `recheck_after_days` count from the latest check (or a
-- case answered with the verdict since), after which a matching report is no longer answered
-- with it on its own. Kept as recorded, like closures.
CREATE TABLE publication_rechecks (
    id @ID@,
    publication_id BIGINT NOT NULL REFERENCES publications(id),
    note TEXT NOT NULL,
    checked_by TEXT NOT NULL,
    checked_at TEXT NOT NULL
);
CREATE INDEX publication_rechecks_publication ON publication_rechecks(publication_id);
