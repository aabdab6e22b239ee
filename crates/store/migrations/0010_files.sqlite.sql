-- Content-addressed rows cannot change: new bytes are a new row. Rows may be deleted (the
-- retention purge), never edited.
CREATE TRIGGER files_no_update BEFORE UPDATE ON files
BEGIN SELECT RAISE(ABORT, 'files are content-addressed and never changed'); END;
CREATE TRIGGER report_files_no_update BEFORE UPDATE ON report_files
BEGIN SELECT RAISE(ABORT, 'report files are kept as received until purged'); END;
CREATE TRIGGER evidence_files_no_update BEFORE UPDATE ON evidence_files
BEGIN SELECT RAISE(ABORT, 'evidence files are kept as recorded'); END;
CREATE TRIGGER evidence_files_no_delete BEFORE DELETE ON evidence_files
BEGIN SELECT RAISE(ABORT, 'evidence files are kept as recorded'); END;
