-- Re-checks are kept as recorded.
CREATE TRIGGER publication_rechecks_kept BEFORE UPDATE OR DELETE ON publication_rechecks
    FOR EACH ROW EXECUTE FUNCTION kc_forbid_change();
