-- Partner API keys (pawn shops, resellers, repairers, insurers, and manufacturers' own
-- systems): only a digest of each key is kept; its first characters identify it in lists.
CREATE TABLE api_keys (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL,
    key_prefix       TEXT NOT NULL,
    key_hash         TEXT NOT NULL,
    scope            TEXT NOT NULL CHECK (scope IN ('stolen-check', 'staff')),
    manufacturer_id  INTEGER REFERENCES manufacturers (id),
    per_minute       INTEGER NOT NULL CHECK (per_minute > 0),
    per_day          INTEGER NOT NULL CHECK (per_day > 0),
    created_at       TEXT NOT NULL,
    created_by       INTEGER REFERENCES users (id),
    revoked_at       TEXT,
    CONSTRAINT api_keys_hash_key UNIQUE (key_hash),
    CONSTRAINT api_keys_staff_manufacturer CHECK ((scope = 'staff') = (manufacturer_id IS NOT NULL))
);
CREATE INDEX api_keys_name ON api_keys (name);

-- Requests per key and minute ('YYYY-MM-DDTHH:MM'), shared by every server instance: the
-- minute's row is the per-minute quota, the day's rows add up to the per-day one.
CREATE TABLE api_key_usage (
    key_id   INTEGER NOT NULL REFERENCES api_keys (id),
    minute   TEXT NOT NULL,
    count    INTEGER NOT NULL,
    PRIMARY KEY (key_id, minute)
);
