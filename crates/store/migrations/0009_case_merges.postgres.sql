CREATE TRIGGER case_merges_immutable BEFORE UPDATE OR DELETE ON case_merges
    FOR EACH ROW EXECUTE FUNCTION kc_forbid_change();
