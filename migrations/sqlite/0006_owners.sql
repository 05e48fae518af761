-- Owners and after-sales: proofs of purchase and claim photos, transfer codes, recall
-- notices, the history of each warranty claim, and the warranty expiry report's index.

-- Files owners upload: a proof of purchase (for one ownership) or a claim's photos. Kept in
-- the database so every server instance sees them; read only by the owner, support agents
-- and the staff of the unit's manufacturer.
CREATE TABLE attachments (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    unit_id       INTEGER NOT NULL REFERENCES units (id),
    ownership_id  INTEGER REFERENCES ownerships (id),
    claim_id      INTEGER REFERENCES claims (id),
    content_type  TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp', 'application/pdf')),
    filename      TEXT NOT NULL,
    size_bytes    INTEGER NOT NULL CHECK (size_bytes > 0),
    bytes         BLOB NOT NULL,
    created_at    TEXT NOT NULL,
    CONSTRAINT attachments_one_parent CHECK ((ownership_id IS NULL) <> (claim_id IS NULL))
);
CREATE INDEX attachments_ownership ON attachments (ownership_id) WHERE ownership_id IS NOT NULL;
CREATE INDEX attachments_claim ON attachments (claim_id) WHERE claim_id IS NOT NULL;

-- A transfer code: single use, expiring; only its hash is kept.
CREATE TABLE transfer_codes (
    id               INTEGER PRIMARY KEY,
    unit_id          INTEGER NOT NULL REFERENCES units (id),
    from_user_id     INTEGER NOT NULL REFERENCES users (id),
    code_hash        TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    expires_at       TEXT NOT NULL,
    used_at          TEXT,
    used_by_user_id  INTEGER REFERENCES users (id),
    cancelled_at     TEXT,
    CONSTRAINT transfer_codes_hash_key UNIQUE (code_hash)
);
CREATE INDEX transfer_codes_unit ON transfer_codes (unit_id);

-- A recall notice to a unit's owner: one per owner, unit and recall, however often the
-- recall's scope is recomputed.
CREATE TABLE notices (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    unit_id     INTEGER NOT NULL REFERENCES units (id),
    recall_id   INTEGER NOT NULL REFERENCES recalls (id),
    created_at  TEXT NOT NULL,
    read_at     TEXT,
    CONSTRAINT notices_user_unit_recall_key UNIQUE (user_id, unit_id, recall_id)
);

-- What happened to a claim: each status change and note, oldest first. Notes an agent keeps
-- internal are not shown to the owner.
CREATE TABLE claim_events (
    id             INTEGER PRIMARY KEY,
    claim_id       INTEGER NOT NULL REFERENCES claims (id),
    at             TEXT NOT NULL,
    status         TEXT NOT NULL,
    note           TEXT,
    actor_role     TEXT NOT NULL,
    actor_user_id  INTEGER REFERENCES users (id),
    internal       INTEGER NOT NULL DEFAULT 0 CHECK (internal IN (0, 1))
);
CREATE INDEX claim_events_claim ON claim_events (claim_id, id);
CREATE INDEX claims_status ON claims (status, updated_at);
CREATE INDEX claims_owner ON claims (owner_user_id);

CREATE INDEX warranty_records_ends ON warranty_records (ends_on);
CREATE INDEX notices_recall ON notices (recall_id, created_at);
CREATE INDEX notices_unit ON notices (unit_id, created_at);

-- The look-alike-folded serial search of agents (store::claims::FOLDED_SERIAL) has an
-- expression index on PostgreSQL only: here it scans, which a desk search can afford, while
-- an index on every unit would slow every import and demo load.
