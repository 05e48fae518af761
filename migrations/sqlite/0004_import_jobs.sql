-- Imports started from the staff screens: their progress and outcome, readable by any
-- server instance (the page polls it while the import runs).
CREATE TABLE import_jobs (
    id               INTEGER PRIMARY KEY,
    user_id          INTEGER NOT NULL REFERENCES users (id),
    manufacturer_id  INTEGER NOT NULL REFERENCES manufacturers (id),
    file_name        TEXT NOT NULL,
    dry_run          INTEGER NOT NULL CHECK (dry_run IN (0, 1)),
    state            TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed')),
    summary_json     TEXT NOT NULL,
    error            TEXT,
    created_at       TEXT NOT NULL,
    finished_at      TEXT
);
CREATE INDEX import_jobs_manufacturer ON import_jobs (manufacturer_id, id);
