-- Progress entries are kept as recorded.
CREATE TRIGGER duty_progress_kept BEFORE UPDATE OR DELETE ON duty_progress
    FOR EACH ROW EXECUTE FUNCTION kc_forbid_change();
