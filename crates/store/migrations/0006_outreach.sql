-- Awareness talks, trainings and campaigns the directive asks agencies for. A count of
-- attendees, never their names.
CREATE TABLE outreach (
    id @ID@,
    agency TEXT NOT NULL,
    kind TEXT NOT NULL,
    audience TEXT NOT NULL,
    held_on TEXT NOT NULL,
    topic TEXT NOT NULL,
    attendees BIGINT NOT NULL,
    materials_url TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX outreach_held_on ON outreach(held_on);
