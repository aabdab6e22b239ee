-- The desk's schema. Shared by SQLite and PostgreSQL: `@ID@` becomes each backend's
-- auto-increment primary key; everything else is portable SQL. Integers are BIGINT and
-- times are RFC 3339 UTC text, so both backends sort and decode them the same way.

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE packs (
    id @ID@,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    loaded_at TEXT NOT NULL,
    loaded_by TEXT NOT NULL
);

CREATE TABLE users (
    id @ID@,
    name TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    disabled BIGINT NOT NULL DEFAULT 0
);

-- agency '' means district-wide; NULL would defeat the unique constraint.
CREATE TABLE grants (
    user_id BIGINT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    agency TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (user_id, role, agency)
);

CREATE TABLE api_tokens (
    id @ID@,
    user_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- A claim is a cluster of content that says the same checkable thing.
CREATE TABLE claims (
    id @ID@,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- A normalised content unit; many reports of the same content share one item.
CREATE TABLE items (
    id @ID@,
    content_hash TEXT NOT NULL UNIQUE,
    text TEXT NOT NULL,
    claim_id BIGINT NOT NULL REFERENCES claims(id),
    created_at TEXT NOT NULL
);

CREATE TABLE cases (
    id @ID@,
    claim_id BIGINT NOT NULL REFERENCES claims(id),
    state TEXT NOT NULL,
    agency TEXT,
    consulted TEXT NOT NULL DEFAULT '[]',
    assignee TEXT,
    priority TEXT NOT NULL,
    harm_category TEXT,
    deadline TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cases_state ON cases(state);
CREATE INDEX cases_claim ON cases(claim_id);

-- Immutable once written (enforced by a trigger per backend). Holds no author identity.
CREATE TABLE reports (
    id @ID@,
    receipt TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL,
    text TEXT NOT NULL,
    urls TEXT NOT NULL,
    item_id BIGINT NOT NULL REFERENCES items(id),
    case_id BIGINT REFERENCES cases(id),
    answered_by BIGINT,
    match_score DOUBLE PRECISION,
    received_at TEXT NOT NULL
);
CREATE INDEX reports_case ON reports(case_id);

-- Kept apart from reports so that it can be purged on schedule without touching them.
CREATE TABLE report_contacts (
    report_id BIGINT PRIMARY KEY REFERENCES reports(id),
    contact TEXT NOT NULL,
    purge_after TEXT NOT NULL
);

CREATE TABLE decisions (
    id @ID@,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    version BIGINT NOT NULL,
    verdict TEXT NOT NULL,
    summary TEXT NOT NULL,
    reasons TEXT NOT NULL,
    legal_provisions TEXT NOT NULL,
    remedy TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    reviewed_by TEXT,
    reviewed_at TEXT,
    review_comment TEXT,
    UNIQUE (case_id, version)
);

CREATE TABLE evidence (
    id @ID@,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    decision_id BIGINT REFERENCES decisions(id),
    url TEXT,
    note TEXT,
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL
);

CREATE TABLE publications (
    id @ID@,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    decision_id BIGINT NOT NULL REFERENCES decisions(id),
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    claim_text TEXT NOT NULL,
    verdict TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at TEXT NOT NULL
);

-- Append-only, hash-chained (see kc_desk::audit). The head row lets verification notice
-- that the newest events were removed.
CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    data TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);

CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
