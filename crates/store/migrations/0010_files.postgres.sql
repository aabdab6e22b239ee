-- Content-addressed rows cannot change: new bytes are a new row. Rows may be deleted (the
-- retention purge), never edited.
CREATE TRIGGER files_no_update BEFORE UPDATE ON files
    FOR EACH ROW EXECUTE FUNCTION kc_forbid_change();
CREATE TRIGGER report_files_no_update BEFORE UPDATE ON report_files
    FOR EACH ROW EXECUTE FUNCTION kc_forbid_change();
CREATE TRIGGER evidence_files_no_update BEFORE UPDATE OR DELETE ON evidence_files
    FOR EACH ROW EXECUTE FUNCTION kc_forbid_change();
