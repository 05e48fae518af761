-- The head of the audit chain: one row whose update serialises appends (a row lock on
-- PostgreSQL, the single writer on SQLite), so every entry hashes the one before it.
CREATE TABLE audit_head (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    entries    INTEGER NOT NULL,
    last_hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, entries, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
