-- Files attached to reports (a citizen's screenshots) and files staff add to a case as
-- evidence. The bytes live in the database, once per distinct content, keyed by their
-- SHA-256: backups, restores and several instances behind a proxy see them with no step of
-- their own (ARCHITECTURE.md says why this departs from files on disk). `@BLOB@` is the
-- backend's byte-string type. What arrives here was checked and stripped of its metadata
-- (location, device, author) by `kc_desk::attachment`; no original file name is kept,
-- since a name can hold a person's.
CREATE TABLE files (
    sha256 TEXT PRIMARY KEY,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    bytes @BLOB@ NOT NULL,
    created_at TEXT NOT NULL
);
-- A report's files, apart from the report (which is immutable) so that they can be purged
-- after the retention period while the report stays. `position` orders them as sent: the
-- console labels them "ảnh 1", "ảnh 2".
CREATE TABLE report_files (
    report_id BIGINT NOT NULL REFERENCES reports(id),
    position BIGINT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES files(sha256),
    PRIMARY KEY (report_id, position)
);
CREATE INDEX report_files_sha256 ON report_files(sha256);
-- A file kept as evidence of a case, with its provenance: who added it and when, the page
-- it came from, a note, or the report it was kept from. Evidence is never purged with the
-- reports' files: keeping a screenshot as evidence is how an officer holds it longer.
CREATE TABLE evidence_files (
    id @ID@,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    sha256 TEXT NOT NULL REFERENCES files(sha256),
    source_url TEXT,
    note TEXT,
    from_report_id BIGINT REFERENCES reports(id),
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL,
    UNIQUE (case_id, sha256)
);
CREATE INDEX evidence_files_sha256 ON evidence_files(sha256);
