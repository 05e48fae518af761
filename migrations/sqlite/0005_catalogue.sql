-- The staff back office: serials generated in batches (for their CSV and label sheet), the
-- next sequence number of each product's sequential serials, theft-report review, and stock
-- audits.

CREATE TABLE serial_batches (
    id               INTEGER PRIMARY KEY,
    manufacturer_id  INTEGER NOT NULL REFERENCES manufacturers (id),
    product_id       INTEGER NOT NULL REFERENCES products (id),
    lot_id           INTEGER REFERENCES lots (id),
    count            INTEGER NOT NULL CHECK (count > 0),
    user_id          INTEGER REFERENCES users (id),
    created_at       TEXT NOT NULL
);
CREATE INDEX serial_batches_manufacturer ON serial_batches (manufacturer_id, id);

ALTER TABLE units ADD COLUMN batch_id INTEGER REFERENCES serial_batches (id);
-- Partial: imported units (no batch) cost the index nothing.
CREATE INDEX units_batch ON units (batch_id) WHERE batch_id IS NOT NULL;

ALTER TABLE products ADD COLUMN serial_seq INTEGER NOT NULL DEFAULT 0;

CREATE UNIQUE INDEX component_links_unit_pair ON component_links (parent_unit_id, child_unit_id)
    WHERE child_unit_id IS NOT NULL;
CREATE UNIQUE INDEX component_links_lot_pair ON component_links (parent_unit_id, child_lot_id)
    WHERE child_lot_id IS NOT NULL;
CREATE INDEX theft_reports_status ON theft_reports (status, unit_id);
CREATE INDEX recall_units_status ON recall_units (recall_id, remedy_status);

-- Staff review of theft reports: verified by whom, and notes on the report.
ALTER TABLE theft_reports ADD COLUMN verified_at TEXT;
ALTER TABLE theft_reports ADD COLUMN verified_by INTEGER REFERENCES users (id);
ALTER TABLE theft_reports ADD COLUMN recovered_place TEXT;

CREATE TABLE theft_report_notes (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER NOT NULL REFERENCES theft_reports (id),
    user_id     INTEGER REFERENCES users (id),
    role        TEXT NOT NULL,
    note        TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX theft_report_notes_report ON theft_report_notes (report_id, id);

-- A stock audit: the serials scanned at a location, compared with the records when shown.
CREATE TABLE stock_audits (
    id               INTEGER PRIMARY KEY,
    manufacturer_id  INTEGER NOT NULL REFERENCES manufacturers (id),
    user_id          INTEGER REFERENCES users (id),
    location         TEXT NOT NULL,
    scanned          TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    applied_at       TEXT
);
CREATE INDEX stock_audits_manufacturer ON stock_audits (manufacturer_id, id);
CREATE INDEX units_location ON units (manufacturer_id, location) WHERE location IS NOT NULL;

-- SQLite plans without statistics until ANALYZE runs, and breaks ties between equally good
-- looking indexes by their place in the schema, which an ALTER TABLE (above) reorders: a
-- lookup by serial within a model could then walk every unit of the model. Seed statistics
-- that describe the table as it is meant to be (one unit per serial, many per model, lot or
-- location), unless there are units for ANALYZE to measure.
ANALYZE units;
DELETE FROM sqlite_stat1 WHERE tbl = 'units' AND NOT EXISTS (SELECT 1 FROM units);
INSERT INTO sqlite_stat1 (tbl, idx, stat)
SELECT 'units', v.idx, v.stat FROM (
    SELECT 'units_serial_norm' AS idx, '1000000 2' AS stat
    UNION ALL SELECT 'sqlite_autoindex_units_1', '1000000 200000 100000 1'
    UNION ALL SELECT 'units_product_made', '1000000 100000 100'
    UNION ALL SELECT 'units_lot', '1000000 10000'
    UNION ALL SELECT 'units_batch', '1000000 10000'
    UNION ALL SELECT 'units_location', '1000000 200000 20000'
) v
WHERE NOT EXISTS (SELECT 1 FROM units);
