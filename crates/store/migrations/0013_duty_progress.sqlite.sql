-- Progress entries are kept as recorded.
CREATE TRIGGER duty_progress_no_update BEFORE UPDATE ON duty_progress
BEGIN SELECT RAISE(ABORT, 'progress entries are kept as recorded'); END;
CREATE TRIGGER duty_progress_no_delete BEFORE DELETE ON duty_progress
BEGIN SELECT RAISE(ABORT, 'progress entries are kept as recorded'); END;
