-- Items taken from a monitored feed or file by `kiemchung import`, by a key that is stable
-- across runs (the item's own id in its source, or a hash of its content), so that running
-- an import again, or after an interruption, adds only what is new. Written in the same
-- transaction as the report, so a key never exists without its report nor the reverse.
CREATE TABLE imported_items (
    key TEXT PRIMARY KEY,
    report_id BIGINT NOT NULL REFERENCES reports(id),
    imported_at TEXT NOT NULL
);
