-- Opinions are kept as given.
CREATE TRIGGER case_opinions_no_update BEFORE UPDATE ON case_opinions
BEGIN SELECT RAISE(ABORT, 'opinions are kept as given'); END;
CREATE TRIGGER case_opinions_no_delete BEFORE DELETE ON case_opinions
BEGIN SELECT RAISE(ABORT, 'opinions are kept as given'); END;
