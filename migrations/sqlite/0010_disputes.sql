-- Squatting resistance: a registration the rightful buyer disputes, with a proof of purchase,
-- for a support agent to decide; which ownership a warranty record came from (a squatter's
-- back-dated warranty goes with the squatter); the per-address registration count's index.

CREATE TABLE disputes (
    id                  INTEGER PRIMARY KEY,
    unit_id             INTEGER NOT NULL REFERENCES units (id),
    -- The registration disputed: the unit's current ownership when the dispute was filed.
    ownership_id        INTEGER NOT NULL REFERENCES ownerships (id),
    claimant_user_id    INTEGER NOT NULL REFERENCES users (id),
    purchase_date       TEXT NOT NULL,
    retailer            TEXT NOT NULL,
    statement           TEXT NOT NULL,
    -- The registered owner's side, if they answer.
    owner_reply         TEXT,
    status              TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'upheld', 'rejected')),
    -- What an upheld dispute did: the unit reassigned to the claimant, or the registration
    -- ended (the unit unregistered).
    outcome             TEXT CHECK (outcome IN ('reassigned', 'ended')),
    decision_note       TEXT,
    decided_by_user_id  INTEGER REFERENCES users (id),
    decided_at          TEXT,
    created_at          TEXT NOT NULL,
    CONSTRAINT disputes_outcome CHECK ((status = 'upheld') = (outcome IS NOT NULL))
);
CREATE INDEX disputes_status ON disputes (status, created_at);
CREATE INDEX disputes_claimant ON disputes (claimant_user_id);
CREATE INDEX disputes_ownership ON disputes (ownership_id);
-- One open dispute per claimant and unit.
CREATE UNIQUE INDEX disputes_one_open ON disputes (unit_id, claimant_user_id) WHERE status = 'open';

-- A claimant's proof of purchase is an attachment of the dispute. SQLite cannot change a
-- CHECK constraint, so the table is made again (nothing refers to it).
CREATE TABLE attachments_before_0010 AS SELECT * FROM attachments;
DROP TABLE attachments;
CREATE TABLE attachments (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    unit_id       INTEGER NOT NULL REFERENCES units (id),
    ownership_id  INTEGER REFERENCES ownerships (id),
    claim_id      INTEGER REFERENCES claims (id),
    dispute_id    INTEGER REFERENCES disputes (id),
    content_type  TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp', 'application/pdf')),
    filename      TEXT NOT NULL,
    size_bytes    INTEGER NOT NULL CHECK (size_bytes > 0),
    bytes         BLOB NOT NULL,
    created_at    TEXT NOT NULL,
    CONSTRAINT attachments_one_parent CHECK (
        (ownership_id IS NOT NULL) + (claim_id IS NOT NULL) + (dispute_id IS NOT NULL) = 1)
);
INSERT INTO attachments (id, user_id, unit_id, ownership_id, claim_id, content_type, filename,
                         size_bytes, bytes, created_at)
    SELECT id, user_id, unit_id, ownership_id, claim_id, content_type, filename, size_bytes,
           bytes, created_at
    FROM attachments_before_0010;
DROP TABLE attachments_before_0010;
CREATE INDEX attachments_ownership ON attachments (ownership_id) WHERE ownership_id IS NOT NULL;
CREATE INDEX attachments_claim ON attachments (claim_id) WHERE claim_id IS NOT NULL;
CREATE INDEX attachments_dispute ON attachments (dispute_id) WHERE dispute_id IS NOT NULL;

-- The ownership whose registration started a warranty record (NULL: the manufacturer's own
-- records, a repair or an extension).
ALTER TABLE warranty_records ADD COLUMN ownership_id INTEGER REFERENCES ownerships (id);

-- Registrations counted per client address over the last day.
CREATE INDEX audit_log_action_ip ON audit_log (action, client_ip, at);
