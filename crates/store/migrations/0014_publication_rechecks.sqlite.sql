CREATE TRIGGER publication_rechecks_no_update BEFORE UPDATE ON publication_rechecks
BEGIN SELECT RAISE(ABORT, 're-checks are kept as recorded'); END;
CREATE TRIGGER publication_rechecks_no_delete BEFORE DELETE ON publication_rechecks
BEGIN SELECT RAISE(ABORT, 're-checks are kept as recorded'); END;
