CREATE TRIGGER case_closures_immutable BEFORE UPDATE OR DELETE ON case_closures
    FOR EACH ROW EXECUTE FUNCTION kc_forbid_change();
