-- Serials a manufacturer has identified as counterfeit: an unissued serial printed on fakes,
-- or a genuine serial whose label has been cloned. The public answer for the serial says so.
CREATE TABLE counterfeit_marks (
    id               INTEGER PRIMARY KEY,
    manufacturer_id  INTEGER NOT NULL REFERENCES manufacturers (id),
    serial_norm      TEXT NOT NULL,
    note             TEXT,
    marked_by        INTEGER REFERENCES users (id),
    marked_at        TEXT NOT NULL,
    CONSTRAINT counterfeit_marks_key UNIQUE (serial_norm, manufacturer_id)
);

-- The signals read the lookup log by time and then by origin.
CREATE INDEX lookup_log_origin ON lookup_log (origin, at);
