-- Notices to platforms about content (thông báo gỡ bỏ, đề nghị gắn nhãn). A notice is what
-- a published decision asks of one platform: its content locators (URLs of the content
-- itself, never an account), the legal provisions, reasons and issuing agency copied from
-- the approved decision when it was prepared, and the territorial scope. The desk never
-- sends it; staff record each step of what the platform did in notice_events. Both tables
-- are kept as recorded (a trigger per backend forbids changing them): a notice's status is
-- its latest event.
CREATE TABLE notices (
    id @ID@,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    decision_id BIGINT NOT NULL REFERENCES decisions(id),
    remedy TEXT NOT NULL,
    platform TEXT NOT NULL,
    locators TEXT NOT NULL,
    legal_provisions TEXT NOT NULL,
    reasons TEXT NOT NULL,
    agency TEXT NOT NULL,
    territorial_scope TEXT NOT NULL,
    prepared_by TEXT NOT NULL,
    prepared_at TEXT NOT NULL
);
CREATE INDEX notices_case ON notices(case_id);
CREATE TABLE notice_events (
    id @ID@,
    notice_id BIGINT NOT NULL REFERENCES notices(id),
    step TEXT NOT NULL,
    happened_on TEXT NOT NULL,
    note TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    -- Each step happens once in a notice's life; a second one recorded at the same moment
    -- by someone else fails here rather than forking the history.
    UNIQUE (notice_id, step)
);
