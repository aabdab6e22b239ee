CREATE TRIGGER notices_immutable BEFORE UPDATE OR DELETE ON notices
    FOR EACH ROW EXECUTE FUNCTION kc_forbid_change();
CREATE TRIGGER notice_events_immutable BEFORE UPDATE OR DELETE ON notice_events
    FOR EACH ROW EXECUTE FUNCTION kc_forbid_change();
