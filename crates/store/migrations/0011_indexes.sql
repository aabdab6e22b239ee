-- Indexes found missing by bench/desk.py at a year's volume (3,000 fact-checks, 11,000
-- cases): without publications(case_id) the statistics read every publication once per
-- case (2.7 s a request), and a case's page read the whole audit log for its history.
CREATE INDEX publications_case ON publications(case_id);
CREATE INDEX publications_decision ON publications(decision_id);
CREATE INDEX publications_published_at ON publications(published_at);
CREATE INDEX evidence_case ON evidence(case_id);
CREATE INDEX audit_events_entity ON audit_events(entity, entity_id);
