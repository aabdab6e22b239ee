CREATE TRIGGER case_merges_no_update BEFORE UPDATE ON case_merges
BEGIN SELECT RAISE(ABORT, 'case merges are kept as recorded'); END;
CREATE TRIGGER case_merges_no_delete BEFORE DELETE ON case_merges
BEGIN SELECT RAISE(ABORT, 'case merges are kept as recorded'); END;
