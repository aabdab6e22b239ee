-- Opinions are kept as given.
CREATE TRIGGER case_opinions_kept BEFORE UPDATE OR DELETE ON case_opinions
    FOR EACH ROW EXECUTE FUNCTION kc_forbid_change();
