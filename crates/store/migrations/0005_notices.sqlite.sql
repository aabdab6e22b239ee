CREATE TRIGGER notices_no_update BEFORE UPDATE ON notices
BEGIN SELECT RAISE(ABORT, 'notices are kept as recorded'); END;
CREATE TRIGGER notices_no_delete BEFORE DELETE ON notices
BEGIN SELECT RAISE(ABORT, 'notices are kept as recorded'); END;
CREATE TRIGGER notice_events_no_update BEFORE UPDATE ON notice_events
BEGIN SELECT RAISE(ABORT, 'notice events are kept as recorded'); END;
CREATE TRIGGER notice_events_no_delete BEFORE DELETE ON notice_events
BEGIN SELECT RAISE(ABORT, 'notice events are kept as recorded'); END;
