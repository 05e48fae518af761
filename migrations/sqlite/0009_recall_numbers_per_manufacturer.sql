-- A recall number is unique within its manufacturer, not across all of them: one maker can
-- neither probe nor take another's (unpublished) numbers. Public URLs name both.
--
-- SQLite cannot drop a UNIQUE constraint, so the table is made again. The migration runs in
-- a transaction, where foreign keys cannot be switched off; they are deferred instead: the
-- rows referring to recalls are orphans between the DROP and the INSERT, and each is counted
-- back when its recall is inserted again, so the commit finds none (or fails, changing
-- nothing).
PRAGMA defer_foreign_keys = ON;
CREATE TABLE recalls_before_0009 AS SELECT * FROM recalls;
DROP TABLE recalls;
CREATE TABLE recalls (
    id               INTEGER PRIMARY KEY,
    manufacturer_id  INTEGER NOT NULL REFERENCES manufacturers (id),
    number           TEXT NOT NULL,
    title            TEXT NOT NULL,
    hazard           TEXT NOT NULL,
    description      TEXT NOT NULL,
    remedy           TEXT NOT NULL CHECK (remedy IN ('repair', 'replace', 'refund')),
    remedy_available INTEGER NOT NULL DEFAULT 1 CHECK (remedy_available IN (0, 1)),
    instructions     TEXT NOT NULL,
    severity         TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    status           TEXT NOT NULL CHECK (status IN ('draft', 'active', 'closed')),
    starts_on        TEXT NOT NULL,
    published_at     TEXT,
    closed_at        TEXT,
    created_at       TEXT NOT NULL,
    CONSTRAINT recalls_number_key UNIQUE (manufacturer_id, number)
);
INSERT INTO recalls (id, manufacturer_id, number, title, hazard, description, remedy,
                     remedy_available, instructions, severity, status, starts_on,
                     published_at, closed_at, created_at)
SELECT id, manufacturer_id, number, title, hazard, description, remedy, remedy_available,
       instructions, severity, status, starts_on, published_at, closed_at, created_at
FROM recalls_before_0009;
DROP TABLE recalls_before_0009;
-- The public page and the old one-segment links find a number across manufacturers.
CREATE INDEX recalls_number ON recalls (number);
