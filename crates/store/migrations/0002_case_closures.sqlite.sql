CREATE TRIGGER case_closures_no_update BEFORE UPDATE ON case_closures
BEGIN SELECT RAISE(ABORT, 'case closures are kept as recorded'); END;
CREATE TRIGGER case_closures_no_delete BEFORE DELETE ON case_closures
BEGIN SELECT RAISE(ABORT, 'case closures are kept as recorded'); END;
